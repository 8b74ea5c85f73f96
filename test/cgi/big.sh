#!/bin/sh
# big.sh — QUERY_STRING mebibytes of zeros, without a Content-Length.
printf 'Content-Type: application/octet-stream\r\n\r\n'
exec head -c "$((${QUERY_STRING:-1} * 1048576))" /dev/zero
