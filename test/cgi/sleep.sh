#!/bin/sh
# sleep.sh — says nothing for longer than the test's timeout (its child sleep must go too).
sleep 30
printf 'Content-Type: text/plain\r\n\r\ntoo late\n'
