#!/bin/sh
# echo.sh — sends back the request body it reads (CONTENT_LENGTH bytes), with its length.
printf 'Content-Type: application/octet-stream\r\nX-Content-Length: %s\r\n\r\n' "$CONTENT_LENGTH"
head -c "${CONTENT_LENGTH:-0}"
