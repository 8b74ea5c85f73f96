#!/bin/sh
# ignore-stdin.sh — answers without reading the request body.
printf 'Content-Type: text/plain\r\n\r\nignored your body\n'
