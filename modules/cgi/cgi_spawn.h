/*
 * cgi_spawn.h — starting a CGI script and ending it: posix_spawn() with the three pipes as its
 * only descriptors, its own folder as working directory, default signal dispositions, an empty
 * signal mask and its own process group (so a timeout or a client that leaves can stop the script
 * and whatever it started); and a reaper that never waits without a bound.
 */
#ifndef CGI_SPAWN_H
#define CGI_SPAWN_H

#include <sys/types.h>

#define CGI_KILL_GRACE_MS 1000 /* between SIGTERM and SIGKILL */
#define CGI_REAP_MAX_MS 5000   /* after SIGKILL: give up waiting (and log) */

struct cgi_child {
    pid_t pid; /* -1 when none */
    int in;    /* our ends, non-blocking, close-on-exec; -1 when closed */
    int out;
    int err;
};

struct cgi_limits {
    long long cpu;   /* seconds, 0: unset */
    long long mem;   /* bytes of address space, 0: unset */
    long long nproc; /* processes of the user, 0: unset */
};

void cgi_child_init(struct cgi_child *c);
/*
 * Runs path (absolute) with argv/envp in dir. 0, or an errno value (the exec's own failure:
 * ENOENT, EACCES, ENOEXEC … comes back here, since posix_spawn() reports it).
 */
int cgi_spawn(const char *path, char *const argv[], char *const envp[], const char *dir,
              const struct cgi_limits *limits, struct cgi_child *c);
/* Closes *fd when open and sets it to -1. */
void cgi_fd_close(int *fd);
/* Sends sig to the script's process group. */
void cgi_child_signal(const struct cgi_child *c, int sig);
/*
 * Reaps the script: waits up to wait_ms for it to exit, then SIGTERM, CGI_KILL_GRACE_MS, SIGKILL
 * (to its group). Once it has exited, whatever is left in its process group (children it started
 * in the background) gets SIGTERM, then SIGKILL after CGI_KILL_GRACE_MS: nothing a script starts
 * outlives it. Closes the pipes first. *status gets the wait status. Returns 0 when it exited by
 * itself, 1 when it had to be signalled, -1 when it could not be reaped (logged by the caller).
 */
int cgi_child_reap(struct cgi_child *c, int wait_ms, int *status);

#endif
