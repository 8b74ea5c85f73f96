#!/bin/sh
# nph-status.sh — a non-parsed-header script: it writes the status line itself.
printf 'HTTP/1.1 202 Accepted Here\r\nContent-Type: text/plain\r\nX-Nph: yes\r\n\r\nnph body\n'
