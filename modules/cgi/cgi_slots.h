/*
 * cgi_slots.h — a cap on scripts running at once across all workers (max_concurrent).
 *
 * The area is mapped MAP_SHARED|MAP_ANONYMOUS in the master before the fork, so every worker
 * sees the same slots. A slot holds the pid of the worker running a script there, so a slot that
 * a killed worker never released is taken back once that pid is gone (a bare counter would leak).
 */
#ifndef CGI_SLOTS_H
#define CGI_SLOTS_H

#include <sys/types.h>

#define CGI_SLOTS_MAX 65536 /* largest max_concurrent */

struct cgi_slots;

/* max slots (1..CGI_SLOTS_MAX) in a shared mapping; NULL with errno. Master only. */
struct cgi_slots *cgi_slots_create(int max);
void cgi_slots_destroy(struct cgi_slots *s);
/* Takes a free slot for worker self; its index, or -1 when all are held by live workers. */
int cgi_slots_acquire(struct cgi_slots *s, pid_t self);
void cgi_slots_release(struct cgi_slots *s, int slot);
/* Slots held now (for tests and logs). */
int cgi_slots_used(const struct cgi_slots *s);

#endif
