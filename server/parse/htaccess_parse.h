/*
 * htaccess_parse.h — Apache's configuration syntax, as .htaccess files use it, into a tree of
 * nodes (pure: bytes in, nodes out; serve/htaccess.c reads the files and gives the nodes their
 * meaning).
 *
 * One directive a line; a '\' ending a line joins the next one to it; a line whose first
 * non-blank is '#' is a comment (a '#' later on a line is an argument, as in Apache); arguments
 * are split on blanks, "double" or 'single' quotes hold blanks, and inside quotes a backslash
 * escapes the quote or itself; <Name args> … </Name> holds a section, nested at most
 * PFD_HTP_MAX_DEPTH deep. A UTF-8 byte order mark at the start is skipped, CRLF is a line end.
 */
#ifndef PFD_HTACCESS_PARSE_H
#define PFD_HTACCESS_PARSE_H

#include <stdbool.h>
#include <stddef.h>

#define PFD_HTP_MAX_FILE (1 << 20)   /* a larger file is refused */
#define PFD_HTP_MAX_LINE 8192        /* a longer line (continuations joined) is refused */
#define PFD_HTP_MAX_DIRECTIVES 10000 /* nodes in a file, sections counted */
#define PFD_HTP_MAX_DEPTH 16         /* sections inside sections */
#define PFD_HTP_MAX_ARGS 1024        /* arguments of one directive */

struct pfd_ht_directive;

/* One directive, or one container (<Files x> … </Files>) with its body, as read from a file. */
struct pfd_ht_node {
    char *name;  /* as written: "AuthType", "FilesMatch" (matched case-insensitively) */
    char **args; /* unquoted arguments; a container's are those inside <Name …> */
    size_t nargs;
    unsigned line; /* 1-based line of the directive (of <Name …> for a container) */
    bool container;
    struct pfd_ht_node *children; /* a container's body */
    size_t nchildren;
    const struct pfd_ht_directive *directive; /* set by the engine at load */
    void *data; /* what compile() made of the arguments (regexes, parsed lists) */
};

/*
 * Parses len bytes of text into *nodes (malloc'd, *nnodes of them; NULL and 0 for a file with
 * no directive). 0, or -1 with *err_line (0 when no line is to blame) and err ("unbalanced
 * </Files>", "line longer than 8192 bytes") set and nothing allocated.
 */
int pfd_htp_parse(const char *text, size_t len, struct pfd_ht_node **nodes, size_t *nnodes,
                  unsigned *err_line, char *err, size_t err_size);
/* Frees what pfd_htp_parse() made: names, arguments, children (not their data: the owner of
 * the directives frees that first). */
void pfd_htp_free(struct pfd_ht_node *nodes, size_t n);

#endif
