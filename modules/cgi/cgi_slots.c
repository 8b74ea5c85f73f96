/*
 * cgi_slots.c — the shared concurrency slots. See cgi_slots.h.
 */
#include "cgi_slots.h"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/mman.h>

struct cgi_slots {
    int max;
    int pid[]; /* 0: free; else the holder's pid; changed only with atomic compare-and-swap */
};

static size_t cgi_slots_size(int max)
{
    return offsetof(struct cgi_slots, pid) + (size_t)max * sizeof(int);
}

struct cgi_slots *cgi_slots_create(int max)
{
    if (max < 1 || max > CGI_SLOTS_MAX) {
        errno = EINVAL;
        return NULL;
    }
    struct cgi_slots *s =
        mmap(NULL, cgi_slots_size(max), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (s == MAP_FAILED)
        return NULL;
    s->max = max; /* the rest is zero: every slot free */
    return s;
}

void cgi_slots_destroy(struct cgi_slots *s)
{
    if (s != NULL)
        munmap(s, cgi_slots_size(s->max));
}

static bool cgi_slots_take(struct cgi_slots *s, int i, int expected, pid_t self)
{
    return __atomic_compare_exchange_n(&s->pid[i], &expected, (int)self, false, __ATOMIC_ACQ_REL,
                                       __ATOMIC_ACQUIRE);
}

int cgi_slots_acquire(struct cgi_slots *s, pid_t self)
{
    for (int i = 0; i < s->max; i++)
        if (cgi_slots_take(s, i, 0, self))
            return i;
    /* All held: take back one whose worker died without releasing it (killed mid-request). */
    for (int i = 0; i < s->max; i++) {
        int holder = __atomic_load_n(&s->pid[i], __ATOMIC_ACQUIRE);
        if (holder != 0 && holder != (int)self && kill(holder, 0) != 0 && errno == ESRCH &&
            cgi_slots_take(s, i, holder, self))
            return i;
    }
    return -1;
}

void cgi_slots_release(struct cgi_slots *s, int slot)
{
    if (s != NULL && slot >= 0 && slot < s->max)
        __atomic_store_n(&s->pid[slot], 0, __ATOMIC_RELEASE);
}

int cgi_slots_used(const struct cgi_slots *s)
{
    int n = 0;
    for (int i = 0; i < s->max; i++)
        n += __atomic_load_n(&s->pid[i], __ATOMIC_ACQUIRE) != 0;
    return n;
}
