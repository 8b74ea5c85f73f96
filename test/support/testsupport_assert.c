/*
 * testsupport_assert.c — the assertions test programs kept copying: each fails the running Check
 * test with a message that says what was tried (testsupport.h, "assertions").
 */
#include <check.h>

#include "testsupport.h"

void ts_assert_ok(int result, const char *what)
{
    ck_assert_msg(result == TS_OK, "%s: %s", what, ts_result_name(result));
}

void ts_assert_serving(const struct ts_server *s, const char *when)
{
    int status = ts_get_status(s->port, "/hello.txt");
    ck_assert_msg(status == 200, "%s: a new GET /hello.txt got %d (%s)", when, status,
                  status < 0 ? ts_result_name(status) : "status");
}

void ts_conn_open_or_fail(struct ts_conn *c, const struct ts_server *s)
{
    ck_assert_msg(ts_conn_open(c, s->port, 5000) == 0, "connect to port %d failed", s->port);
}
