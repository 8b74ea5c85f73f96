/* tiny.c — the smallest C CGI: check_cgi.c compiles it with cc at run time (and times it). */
#include <stdio.h>
#include <stdlib.h>

int main(void)
{
    const char *q = getenv("QUERY_STRING");
    printf("Content-Type: text/plain\r\n\r\nc query=%s\n", q != NULL ? q : "");
    return 0;
}
