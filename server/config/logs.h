/*
 * logs.h — opening, reopening and closing the log files a config names (logs.c).
 */
#ifndef PFD_CONFIG_LOGS_H
#define PFD_CONFIG_LOGS_H

struct pfd_access_format;

struct pfd_access_log {
    int fd; /* -1 when off */
    char *path;
    struct pfd_access_format *format;
};

/* Compiles format and opens path ("-": stderr; "| command": a piped program). 0, or -1
 * (logged). */
int pfd_access_log_open(struct pfd_access_log *log, const char *path, const char *format);
int pfd_access_log_reopen(struct pfd_access_log *log);
void pfd_access_log_close(struct pfd_access_log *log);

/*
 * The logs of conf's vhosts (access_log, error_log inside a vhost). The master opens them before
 * it forks (at start-up and for every reloaded config) and the workers inherit the descriptors;
 * reopen follows a rename by logrotate (SIGUSR1); close runs when the config is freed.
 * open: 0, or -1 when one failed (logged; that vhost then uses the server's log).
 */
struct pfd_config;
int pfd_vhost_logs_open(struct pfd_config *conf);
void pfd_vhost_logs_reopen(struct pfd_config *conf);
void pfd_vhost_logs_close(struct pfd_config *conf);

#endif
