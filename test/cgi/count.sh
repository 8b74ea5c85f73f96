#!/bin/sh
# count.sh — reads CONTENT_LENGTH bytes of body and says how many arrived, and their checksum.
printf 'Content-Type: text/plain\r\n\r\n'
head -c "${CONTENT_LENGTH:-0}" | cksum
