#!/bin/sh
# status.sh — the CGI head named by the query string: status codes, both Location forms, garbage.
case "$QUERY_STRING" in
notfound) printf 'Status: 404 Not Here\r\nContent-Type: text/plain\r\n\r\nmissing\n' ;;
absolute) printf 'Location: http://example.com/elsewhere\r\n\r\n' ;;
local) printf 'Location: /hello.txt\r\n\r\n' ;;
localq) printf 'Location: /cgi-bin/printenv.sh?from=redirect\r\n\r\n' ;;
garbage) printf 'this is not a header\r\n\r\nbody\n' ;;
noheaders) printf 'no empty line and then the end' ;;
badstatus) printf 'Status: abc\r\n\r\n' ;;
crash) printf 'Content-Type: text/plain\r\n'; kill -SEGV $$ ;;
stderr) echo "a line on stderr" >&2; printf 'Content-Type: text/plain\r\n\r\nok\n' ;;
lf) printf 'Content-Type: text/plain\nX-Folded: a\n  b\n\nlf only\n' ;;
length) printf 'Content-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello' ;;
*) printf 'Content-Type: text/plain\r\n\r\nquery=%s\n' "$QUERY_STRING" ;;
esac
