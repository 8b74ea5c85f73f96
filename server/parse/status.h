/*
 * status.h — HTTP status codes (status.c). Modules get both through module.h.
 */
#ifndef PFD_STATUS_H
#define PFD_STATUS_H

/* The reason phrase of status ("Not Found"); a generic one for codes it does not know. */
const char *pfd_status_reason(int status);
/* ENOENT/ENOTDIR/ENAMETOOLONG → 404, EACCES/ELOOP/EPERM → 403, anything else → 500. */
int pfd_status_from_errno(int err);

#endif
