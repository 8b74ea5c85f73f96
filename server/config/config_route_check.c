/*
 * config_route_check.c — the checks of single routing values (locations, rewrites, vhosts, error
 * documents): pure functions of a string, run while libconfuse parses, so that a bad value is
 * reported at its own line.
 */
#include "config/config_route_check.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "parse/access.h"
#include "parse/rewrite.h"

const char *config_check_redirect(const char *value)
{
    int status;
    const char *target, *why = NULL;
    if (pfd_rewrite_parse_redirect(value, &status, &target, &why) != 0)
        return why;
    return pfd_rewrite_check_target(target);
}

/* A location's scheme condition: the two schemes a request can arrive over. */
const char *config_check_scheme(const char *value)
{
    return strcmp(value, "http") == 0 || strcmp(value, "https") == 0
               ? NULL
               : "must be \"http\" or \"https\"";
}

static bool config_is_tchar(unsigned char c)
{
    return isalnum(c) || (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

static bool config_has_control(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++)
        if ((*p < 0x20 && *p != '\t') || *p == 0x7f)
            return true;
    return false;
}

const char *config_check_header_line(const char *value)
{
    const char *colon = strchr(value, ':');
    if (colon == NULL || colon == value)
        return "must be \"Name: value\"";
    for (const char *p = value; p < colon; p++)
        if (!config_is_tchar((unsigned char)*p))
            return "the header name holds a character a field name may not";
    const char *v = colon + 1 + strspn(colon + 1, " \t");
    if (*v == '\0' || config_has_control(v))
        return "the value must be non-empty, without control characters";
    return NULL;
}

const char *config_check_cidr(const char *value)
{
    struct pfd_cidr c;
    const char *why = NULL;
    return pfd_cidr_parse(value, &c, &why) == 0 ? NULL : why;
}

const char *config_check_realm(const char *value)
{
    if (value[0] == '\0' || strpbrk(value, "\"\\") != NULL || config_has_control(value))
        return "must be non-empty, without '\"', '\\' or control characters";
    return NULL;
}

int config_error_document_parse(const char *value, int *status, const char **uri, const char **why)
{
    char *end;
    long n = strtol(value, &end, 10);
    if (end != value + 3 || n < 400 || n > 599 || (*end != ' ' && *end != '\t')) {
        *why = "must be \"STATUS /uri\" with a status from 400 to 599";
        return -1;
    }
    const char *u = end + strspn(end, " \t");
    if (u[0] != '/' || u[strcspn(u, " \t")] != '\0' || config_has_control(u)) {
        *why = "the document must be a local URI starting with '/', without blanks";
        return -1;
    }
    *status = (int)n;
    *uri = u;
    return 0;
}

const char *config_check_error_document(const char *value)
{
    int status;
    const char *uri, *why = NULL;
    return config_error_document_parse(value, &status, &uri, &why) == 0 ? NULL : why;
}

const char *config_check_rewrite_flag(const char *value)
{
    return pfd_rewrite_flag(value) != 0
               ? NULL
               : "flags are \"last\", \"break\", \"qsappend\", \"redirect\" and \"permanent\"";
}

const char *config_check_host_name(const char *value)
{
    const char *p = value;
    if (strncmp(p, "*.", 2) == 0)
        p += 2;
    if (*p == '\0' || *p == '.')
        return "must be a host name, \"*.\" and a domain, or an address";
    for (; *p != '\0'; p++)
        if (!isalnum((unsigned char)*p) && strchr("-._:[]", *p) == NULL)
            return "must be a host name, \"*.\" and a domain, or an address";
    return NULL;
}
