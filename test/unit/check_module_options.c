/*
 * check_module_options.c — the modules' option reader (server/module_options.c): every type
 * filled from a parsed section, the defaults when there is none, range and check refusals, a
 * location overriding only what it sets, and copies that own their strings (ASan/LSan see a
 * double free or a leak).
 */
#include <check.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "preforkd/module.h"
#include "testsupport_run.h"

struct demo_conf {
    bool flag;
    long count;
    int64_t size;
    char *text;
    struct pfd_option_list list;
    int word;
    struct pfd_addresses *allow;
    char letter;
};

static const char *demo_check_text(const char *value)
{
    return strchr(value, '/') != NULL ? "no '/'" : NULL;
}

static const char *demo_parse_letter(const char *value, void *field)
{
    if (strlen(value) != 1)
        return "one letter";
    *(char *)field = value[0];
    return NULL;
}

static const char *const demo_words[] = {"on", "off", "if_owner_match", NULL};

#define AT(field) offsetof(struct demo_conf, field)
static const struct pfd_option demo_table[] = {
    {"flag", "demo_flag", PFD_OPTION_BOOL, AT(flag), 0, 0, NULL, NULL, NULL},
    {"count", "demo_count", PFD_OPTION_INT, AT(count), 1, 10, NULL, NULL, NULL},
    {"size", NULL, PFD_OPTION_SIZE, AT(size), 0, 1 << 20, NULL, NULL, NULL},
    {"text", "demo_text", PFD_OPTION_STRING, AT(text), 0, 0, NULL, demo_check_text, NULL},
    {"list", "demo_list", PFD_OPTION_LIST, AT(list), 0, 0, NULL, NULL, NULL},
    {"word", NULL, PFD_OPTION_WORD, AT(word), 0, 0, demo_words, NULL, NULL},
    {"allow", "demo_allow", PFD_OPTION_ADDRESSES, AT(allow), 0, 0, NULL, NULL, NULL},
    {NULL, "demo_letter", PFD_OPTION_PARSED, AT(letter), 0, 0, NULL, NULL, demo_parse_letter},
    PFD_OPTIONS_END,
};
#undef AT

static cfg_opt_t demo_options[] = {
    CFG_BOOL("flag", cfg_false, CFGF_NONE),
    CFG_INT("count", 3, CFGF_NONE),
    CFG_STR("size", "64K", CFGF_NONE),
    CFG_STR("text", "hello", CFGF_NONE),
    CFG_STR_LIST("list", "{\"a\", \"b\"}", CFGF_NONE),
    CFG_STR("word", "on", CFGF_NONE),
    CFG_STR_LIST("allow", "{\"127.0.0.1\"}", CFGF_NONE),
    CFG_END(),
};

static cfg_opt_t demo_location_options[] = {
    CFG_BOOL("demo_flag", cfg_false, CFGF_NODEFAULT),
    CFG_INT("demo_count", 0, CFGF_NODEFAULT),
    CFG_STR("demo_text", NULL, CFGF_NODEFAULT),
    CFG_STR_LIST("demo_list", NULL, CFGF_NODEFAULT),
    CFG_STR_LIST("demo_allow", NULL, CFGF_NODEFAULT),
    CFG_STR("demo_letter", NULL, CFGF_NODEFAULT),
    CFG_END(),
};

static const struct pfd_module demo_module = {
    .api_version = PFD_MODULE_API_VERSION,
    .name = "demo",
    .options = demo_options,
    .location_options = demo_location_options,
};

/* text parsed with opts; the caller frees it. */
static cfg_t *demo_parse(cfg_opt_t *opts, const char *text)
{
    cfg_t *cfg = cfg_init(opts, CFGF_NONE);
    ck_assert_ptr_nonnull(cfg);
    ck_assert_int_eq(cfg_parse_buf(cfg, text), CFG_SUCCESS);
    return cfg;
}

START_TEST(test_defaults_without_a_section)
{
    struct demo_conf c = {0};
    ck_assert_int_eq(pfd_options_read(&demo_module, NULL, demo_table, &c), 0);
    ck_assert(!c.flag);
    ck_assert_int_eq(c.count, 3);
    ck_assert_int_eq(c.size, 65536);
    ck_assert_str_eq(c.text, "hello");
    ck_assert_int_eq(c.list.n, 2);
    ck_assert_str_eq(c.list.v[1], "b");
    ck_assert_ptr_null(c.list.v[2]);
    ck_assert_int_eq(c.word, 0);
    ck_assert(pfd_addresses_match(c.allow, "127.0.0.1"));
    ck_assert(!pfd_addresses_match(c.allow, "127.0.0.2"));
    pfd_options_free(demo_table, &c);
}
END_TEST

/* init() in one call: a zeroed struct of the module's size, filled, or -1 with *conf set. */
START_TEST(test_new_allocates_and_reads)
{
    void *conf = NULL;
    cfg_t *cfg = demo_parse(demo_options, "count = 7");
    ck_assert_int_eq(
        pfd_options_new(&demo_module, cfg, demo_table, sizeof(struct demo_conf), &conf), 0);
    struct demo_conf *c = conf;
    ck_assert_ptr_nonnull(c);
    ck_assert_int_eq(c->count, 7);
    ck_assert_str_eq(c->text, "hello");
    pfd_options_free(demo_table, c);
    free(c);
    cfg_free(cfg);
    cfg = demo_parse(demo_options, "count = 0");
    conf = NULL;
    ck_assert_int_eq(
        pfd_options_new(&demo_module, cfg, demo_table, sizeof(struct demo_conf), &conf), -1);
    ck_assert_ptr_nonnull(conf); /* for fini() to free */
    pfd_options_free(demo_table, conf);
    free(conf);
    cfg_free(cfg);
}
END_TEST

START_TEST(test_section_values)
{
    cfg_t *cfg = demo_parse(demo_options, "flag = true count = 10 size = \"1M\" text = \"x\" "
                                          "list = {} word = \"if_owner_match\" "
                                          "allow = {\"10.0.0.0/8\", \"all\"}");
    struct demo_conf c = {0};
    ck_assert_int_eq(pfd_options_read(&demo_module, cfg, demo_table, &c), 0);
    ck_assert(c.flag);
    ck_assert_int_eq(c.count, 10);
    ck_assert_int_eq(c.size, 1 << 20);
    ck_assert_str_eq(c.text, "x");
    ck_assert_int_eq(c.list.n, 0);
    ck_assert_ptr_null(c.list.v[0]);
    ck_assert_int_eq(c.word, 2);
    ck_assert(pfd_addresses_match(c.allow, "2001:db8::1"));
    pfd_options_free(demo_table, &c);
    cfg_free(cfg);
}
END_TEST

/* Each row a value the reader must refuse (with the option named in the log). */
static const struct {
    const char *description, *text;
} bad_rows[] = {
    {"int below its range", "count = 0"},
    {"int above its range", "count = 11"},
    {"size not a size", "size = \"1 M\""},
    {"size signed", "size = \"+1K\""},
    {"size above its range", "size = \"2M\""},
    {"string refused by its check", "text = \"a/b\""},
    {"word not in the list", "word = \"sometimes\""},
    {"address with host bits", "allow = {\"10.0.0.1/8\"}"},
    {"address not one", "allow = {\"example.com\"}"},
};

START_TEST(test_bad_values)
{
    cfg_t *cfg = demo_parse(demo_options, bad_rows[_i].text);
    struct demo_conf c = {0};
    ck_assert_msg(pfd_options_read(&demo_module, cfg, demo_table, &c) == -1, "%s",
                  bad_rows[_i].description);
    pfd_options_free(demo_table, &c);
    cfg_free(cfg);
}
END_TEST

/* nginx's merge: a copy of the main config, then what the location sets; both own their data. */
START_TEST(test_location_overrides_what_it_sets)
{
    struct demo_conf main_conf = {0};
    ck_assert_int_eq(pfd_options_read(&demo_module, NULL, demo_table, &main_conf), 0);
    cfg_t *loc =
        demo_parse(demo_location_options, "demo_count = 7 demo_list = {\"z\"} demo_letter = \"Q\"");
    struct demo_conf c = main_conf;
    ck_assert_int_eq(pfd_options_copy(demo_table, &c), 0);
    ck_assert_int_eq(pfd_options_read_location(&demo_module, loc, demo_table, &c), 0);
    ck_assert_int_eq(c.count, 7);
    ck_assert_int_eq(c.list.n, 1);
    ck_assert_str_eq(c.list.v[0], "z");
    ck_assert_int_eq(c.letter, 'Q');
    ck_assert_str_eq(c.text, "hello"); /* not set there: inherited */
    ck_assert(c.text != main_conf.text);
    ck_assert(pfd_addresses_match(c.allow, "127.0.0.1"));
    ck_assert_int_eq(main_conf.count, 3); /* the main config is untouched */
    ck_assert_str_eq(main_conf.list.v[0], "a");
    pfd_options_free(demo_table, &c);
    pfd_options_free(demo_table, &main_conf);
    cfg_free(loc);
}
END_TEST

/* location_init() in one call: a copy that owns its data, the location's values over it; on a
 * bad value the copy is still handed back, for fini() to free. */
static const struct {
    const char *text;
    int rc;
} merge_rows[] = {
    {"demo_text = \"loc\" demo_flag = true", 0},
    {"demo_letter = \"QQ\"", -1},
    {"demo_allow = {\"10.0.0.1/8\"}", -1},
};

START_TEST(test_merge)
{
    struct demo_conf main_conf = {0};
    ck_assert_int_eq(pfd_options_read(&demo_module, NULL, demo_table, &main_conf), 0);
    cfg_t *loc = demo_parse(demo_location_options, merge_rows[_i].text);
    void *merged = NULL;
    int rc =
        pfd_options_merge(&demo_module, loc, demo_table, &main_conf, sizeof(main_conf), &merged);
    ck_assert_int_eq(rc, merge_rows[_i].rc);
    ck_assert_ptr_nonnull(merged);
    struct demo_conf *c = merged;
    if (rc == 0) {
        ck_assert(c->flag);
        ck_assert_str_eq(c->text, "loc");
        ck_assert_str_eq(main_conf.text, "hello");
        ck_assert(c->list.v != main_conf.list.v);
    }
    pfd_options_free(demo_table, c);
    free(c);
    pfd_options_free(demo_table, &main_conf);
    cfg_free(loc);
}
END_TEST

/* The one size parser: what config_value.c's table tests, from the module side. */
START_TEST(test_size_parse)
{
    ck_assert_int_eq(pfd_size_parse("64K"), 65536);
    ck_assert_int_eq(pfd_size_parse("1m"), 1 << 20);
    ck_assert_int_eq(pfd_size_parse("0"), 0);
    ck_assert_int_eq(pfd_size_parse(" 1K"), -1); /* mod_cgi's own parser took these */
    ck_assert_int_eq(pfd_size_parse("+1K"), -1);
}
END_TEST

static Suite *module_options_suite(void)
{
    Suite *s = suite_create("module_options");
    TCase *tc = tcase_create("reader");
    tcase_add_test(tc, test_defaults_without_a_section);
    tcase_add_test(tc, test_section_values);
    tcase_add_test(tc, test_new_allocates_and_reads);
    tcase_add_loop_test(tc, test_bad_values, 0, sizeof(bad_rows) / sizeof(bad_rows[0]));
    tcase_add_test(tc, test_location_overrides_what_it_sets);
    tcase_add_loop_test(tc, test_merge, 0, sizeof(merge_rows) / sizeof(merge_rows[0]));
    tcase_add_test(tc, test_size_parse);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return ts_run_suite(module_options_suite());
}
