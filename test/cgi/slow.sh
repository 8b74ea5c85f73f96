#!/bin/sh
# slow.sh — sends its head and a first line at once, the rest two seconds later.
printf 'Content-Type: text/plain\r\n\r\nstarted\n'
sleep 2
echo done
