/*
 * htaccess_section.h — the sections the .htaccess engine handles itself: <Files>, <FilesMatch>,
 * <Limit>, <LimitExcept>, <IfModule>, <IfDefine>, <IfVersion>; and finding any directive by name
 * among them and the groups' tables.
 */
#ifndef PFD_HTACCESS_SECTION_H
#define PFD_HTACCESS_SECTION_H

#include <stdbool.h>

struct pfd_ht_directive;
struct pfd_ht_node;
struct pfd_request;

/* The directive called name (case-insensitive): the engine's sections first, then the groups'
 * (access, dir, rewrite, fileinfo: the first that has it wins); NULL when none has it. */
const struct pfd_ht_directive *pfd_ht_directive_find(const char *name);
/* Whether d is one of the engine's sections (their bodies are walked by the engine). */
bool pfd_ht_section_is(const struct pfd_ht_directive *d);
/* Whether d is <IfModule>, <IfDefine> or <IfVersion>: a body Apache reads only when it holds. */
bool pfd_ht_section_conditional(const struct pfd_ht_directive *d);
/* Whether section n is <Files> or <FilesMatch>. */
bool pfd_ht_section_files(const struct pfd_ht_node *n);
/* Whether the body of section n applies to r, whose file's base name is name ("" for a folder);
 * where (the file's path) is for the log when a regex fails. */
bool pfd_ht_section_holds(struct pfd_request *r, const struct pfd_ht_node *n, const char *name,
                          const char *where);

#endif
