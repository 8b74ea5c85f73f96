#!/bin/sh
# forever.sh — writes without end (a client that disconnects must stop it); prints its pid first.
printf 'Content-Type: text/plain\r\n\r\npid=%s\n' "$$"
exec yes "line of output from forever.sh"
