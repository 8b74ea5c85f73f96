/* hello_cgi.c — the C CGI of the benchmark (run.sh compiles it to cgi-bin/c.cgi): the same
 * answer as sh.cgi, so the two CGI rows differ only by what it costs to start the program. */
#include <stdio.h>

int main(void)
{
    fputs("Content-Type: text/plain\r\n\r\nhello from a CGI\n", stdout);
    return 0;
}
