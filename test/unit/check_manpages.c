/*
 * check_manpages.c — preforkd.conf(5) documents every directive the loader knows, and man renders
 * both pages (issue 19).
 *
 * The pages are generated from README.md at build time (tools/man-from-readme.sh); these tests
 * read the generated roff. A directive added to config_directives.c (or an option to a module's
 * table) without its README row fails here, so the man page and the README cannot drift from the
 * loader.
 */
#include <check.h>
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "config/config_directives.h"
#include "config/module_load.h"
#include "preforkd/module.h"
#include "testsupport.h"
#include "testsupport_run.h"

#define MAN_CONF PFD_MAN_DIR "/preforkd.conf.5"
#define MAN_SERVER PFD_MAN_DIR "/preforkd.8"

/* Whether word occurs in text[0, len) as a whole word (not inside max_workers or a longer name). */
static bool man_has_word(const char *text, size_t len, const char *word)
{
    size_t wlen = strlen(word);
    for (size_t i = 0; i + wlen <= len; i++) {
        if (memcmp(text + i, word, wlen) != 0)
            continue;
        /* A roff font change (\fB, \fR) before the word is a boundary too. */
        bool left = i == 0 || !(isalnum((unsigned char)text[i - 1]) || text[i - 1] == '_') ||
                    (i >= 3 && text[i - 3] == '\\' && text[i - 2] == 'f');
        bool right =
            i + wlen == len || !(isalnum((unsigned char)text[i + wlen]) || text[i + wlen] == '_');
        if (left && right)
            return true;
    }
    return false;
}

/* Whether some .TP entry's term (the line after ".TP") of page[from, to) names the directive:
 * its name, and its section's when it has one ("prefork { start_servers }"). */
static bool man_term_names(const char *from, const char *to, const char *section, const char *name)
{
    for (const char *p = strstr(from, "\n.TP\n"); p != NULL && p < to;
         p = strstr(p + 1, "\n.TP\n")) {
        const char *term = p + 5, *end = strchr(term, '\n');
        size_t len = end != NULL ? (size_t)(end - term) : strlen(term);
        if (man_has_word(term, len, name) && (section == NULL || man_has_word(term, len, section)))
            return true;
    }
    return false;
}

/* The core's directives are the entries before the first module's section (.SS mod_…). */
START_TEST(test_conf_page_has_every_core_directive)
{
    char *page = ts_file_read(MAN_CONF, NULL);
    ck_assert_msg(page != NULL, MAN_CONF " is missing: the `man` target builds it");
    const char *modules = strstr(page, "\n.SS mod_");
    ck_assert_msg(modules != NULL, MAN_CONF " has no module section");
    char missing[4096] = "";
    for (size_t i = 0; i < config_ndirectives; i++) {
        const struct config_directive *d = &config_directives[i];
        if (man_term_names(page, modules, d->section, d->opt.name))
            continue;
        size_t used = strlen(missing);
        snprintf(missing + used, sizeof(missing) - used, " %s%s%s", d->section ? d->section : "",
                 d->section ? "." : "", d->opt.name);
    }
    ck_assert_msg(missing[0] == '\0',
                  "preforkd.conf(5) (README.md's configuration reference) has no entry for:%s",
                  missing);
    free(page);
}
END_TEST

/* The options of table (global or location) the page's module section does not name. */
static void man_module_missing(const char *from, const char *to, const cfg_opt_t *table,
                               char *missing, size_t size)
{
    for (size_t i = 0; table != NULL && table[i].name != NULL && i < 256; i++) {
        if (man_has_word(from, (size_t)(to - from), table[i].name))
            continue;
        size_t used = strlen(missing);
        snprintf(missing + used, size - used, " %s", table[i].name);
    }
}

/* Each shipped module's options (its section's and a location's) appear in its section. */
START_TEST(test_conf_page_has_every_module_option)
{
    static const char *const names[] = {"static", "cgi", "autoindex", "status"};
    char *page = ts_file_read(MAN_CONF, NULL);
    ck_assert_ptr_nonnull(page);
    char missing[4096] = "";
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        struct pfd_loaded_module m = {0};
        char err[512], heading[64];
        ck_assert_msg(pfd_module_open(PFD_MODULE_DIR, names[i], &m, err, sizeof(err)) == 0, "%s",
                      err);
        snprintf(heading, sizeof(heading), "\n.SS mod_%s ", names[i]);
        const char *from = strstr(page, heading);
        ck_assert_msg(from != NULL, "preforkd.conf(5) has no section for mod_%s", names[i]);
        const char *to = strstr(from + 1, "\n.SS ");
        to = to != NULL ? to : from + strlen(from);
        char here[1024] = "";
        man_module_missing(from, to, m.module->options, here, sizeof(here));
        man_module_missing(from, to, m.module->location_options, here, sizeof(here));
        if (here[0] != '\0') {
            size_t used = strlen(missing);
            snprintf(missing + used, sizeof(missing) - used, " mod_%s:%s", names[i], here);
        }
        pfd_module_close(&m);
    }
    ck_assert_msg(missing[0] == '\0', "preforkd.conf(5) does not document:%s", missing);
    free(page);
}
END_TEST

/* `man -l` renders the page with no groff warning, and the text holds what it must. */
static void man_renders(const char *page, const char *expect)
{
    char cmd[1024];
    snprintf(cmd, sizeof(cmd), "MANWIDTH=100 man --warnings -l '%s' 2>&1 >/dev/null", page);
    FILE *warnings = popen(cmd, "r");
    ck_assert_ptr_nonnull(warnings);
    char line[512] = "";
    bool warned = fgets(line, sizeof(line), warnings) != NULL;
    int status = pclose(warnings);
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "man -l %s failed: %s", page,
                  line);
    ck_assert_msg(!warned, "man -l %s warns: %s", page, line);

    snprintf(cmd, sizeof(cmd), "MANWIDTH=100 man -l '%s' 2>/dev/null", page);
    FILE *text = popen(cmd, "r");
    ck_assert_ptr_nonnull(text);
    bool found = false;
    for (int i = 0; i < 5000 && fgets(line, sizeof(line), text) != NULL; i++)
        found = found || strstr(line, expect) != NULL;
    pclose(text);
    ck_assert_msg(found, "man -l %s: no \"%s\" in the rendered page", page, expect);
}

START_TEST(test_man_renders_both_pages)
{
    if (system("command -v man >/dev/null") != 0) {
        fprintf(stderr, "SKIP: man missing (Debian package man-db)\n");
        return;
    }
    man_renders(MAN_SERVER, "SIGNALS"); /* one word: justified text may widen spaces */
    man_renders(MAN_CONF, "max_spare_servers");
}
END_TEST

static Suite *manpages_suite(void)
{
    Suite *s = suite_create("manpages");
    TCase *tc = tcase_create("pages");
    tcase_add_test(tc, test_conf_page_has_every_core_directive);
    tcase_add_test(tc, test_conf_page_has_every_module_option);
    tcase_add_test(tc, test_man_renders_both_pages);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return ts_run_suite(manpages_suite());
}
