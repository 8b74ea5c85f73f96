#!/bin/sh
# printenv.sh — the whole CGI environment, one NAME=value per line, sorted (check_cgi.c compares
# it field by field). Also lists its open descriptors and its working directory.
printf 'Content-Type: text/plain\r\n\r\n'
env | LC_ALL=C sort
echo "CWD=$(pwd)"
echo "FDS=$(ls /proc/self/fd | LC_ALL=C sort -n | tr "\n" " ")"
