/*
 * access_log.h — writing a request's access-log line (access_log.c).
 */
#ifndef PFD_ACCESS_LOG_H
#define PFD_ACCESS_LOG_H

#include "config/logs.h"

struct pfd_request;
/* Formats one line for the finished request r and writes it with a single write(). */
void pfd_access_log_write(const struct pfd_access_log *log, const struct pfd_request *r);

#endif
