/*
 * status.c — the reason phrase of each HTTP status code (RFC 9110 §15) and the status a failed
 * file-system call answers with.
 */
#include "parse/status.h"

#include <errno.h>
#include <stddef.h>

struct status_reason {
    int status;
    const char *reason;
};

static const struct status_reason status_reasons[] = {
    {100, "Continue"},
    {101, "Switching Protocols"},
    {200, "OK"},
    {201, "Created"},
    {202, "Accepted"},
    {203, "Non-Authoritative Information"},
    {204, "No Content"},
    {205, "Reset Content"},
    {206, "Partial Content"},
    {300, "Multiple Choices"},
    {301, "Moved Permanently"},
    {302, "Found"},
    {303, "See Other"},
    {304, "Not Modified"},
    {307, "Temporary Redirect"},
    {308, "Permanent Redirect"},
    {400, "Bad Request"},
    {401, "Unauthorized"},
    {403, "Forbidden"},
    {404, "Not Found"},
    {405, "Method Not Allowed"},
    {406, "Not Acceptable"},
    {408, "Request Timeout"},
    {409, "Conflict"},
    {410, "Gone"},
    {411, "Length Required"},
    {412, "Precondition Failed"},
    {413, "Content Too Large"},
    {414, "URI Too Long"},
    {415, "Unsupported Media Type"},
    {416, "Range Not Satisfiable"},
    {417, "Expectation Failed"},
    {421, "Misdirected Request"},
    {422, "Unprocessable Content"},
    {426, "Upgrade Required"},
    {428, "Precondition Required"},
    {429, "Too Many Requests"},
    {431, "Request Header Fields Too Large"},
    {500, "Internal Server Error"},
    {501, "Not Implemented"},
    {502, "Bad Gateway"},
    {503, "Service Unavailable"},
    {504, "Gateway Timeout"},
    {505, "HTTP Version Not Supported"},
};

const char *pfd_status_reason(int status)
{
    size_t lo = 0, hi = sizeof(status_reasons) / sizeof(status_reasons[0]);
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (status_reasons[mid].status == status)
            return status_reasons[mid].reason;
        if (status_reasons[mid].status < status)
            lo = mid + 1;
        else
            hi = mid;
    }
    return status < 400 ? "OK" : status < 500 ? "Bad Request" : "Internal Server Error";
}

int pfd_status_from_errno(int err)
{
    switch (err) {
    case ENOENT:
    case ENOTDIR:
    case ENAMETOOLONG:
        return 404;
    case EACCES:
    case ELOOP:
    case EPERM:
        return 403;
    default:
        return 500;
    }
}
