#!/bin/sh
# hello_cgi.sh — the shell CGI of the benchmark (run.sh copies it to cgi-bin/sh.cgi).
printf 'Content-Type: text/plain\r\n\r\nhello from a CGI\n'
