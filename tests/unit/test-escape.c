/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <criterion/criterion.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "dmabufctl/escape.h"
#include "dmabufctl/json.h"

static char *text(const char *s) {
        char *r = dbc_escape_text(s);

        cr_assert_not_null(r);
        return r;
}

static char *written(const char *s, enum dbc_escape_style style) {
        char *buf = NULL;
        size_t n = 0;
        FILE *f = open_memstream(&buf, &n);

        dbc_escape_write(f, s, style);
        fclose(f);
        return buf;
}

static char *json(const char *s) {
        char *buf = NULL;
        size_t n = 0;
        FILE *f = open_memstream(&buf, &n);

        dbc_json_write_string(f, s);
        fclose(f);
        return buf;
}

Test(escape, classify) {
        size_t n;
        uint32_t cp;

        cr_assert_eq(dbc_char_next("a", &n, &cp), DBC_CHAR_PLAIN);
        cr_assert_eq(dbc_char_next("\x1b", &n, &cp), DBC_CHAR_CONTROL);
        cr_assert_eq(dbc_char_next("\x7f", &n, &cp), DBC_CHAR_CONTROL);
        cr_assert_eq(dbc_char_next("\xc2\x9b", &n, &cp), DBC_CHAR_CONTROL);
        cr_assert_eq(n, 2);
        cr_assert_eq(cp, 0x9b);
        cr_assert_eq(dbc_char_next("\xc2\xa0", &n, &cp), DBC_CHAR_PLAIN);     /* NBSP: printable */
        cr_assert_eq(dbc_char_next("\x9b", &n, &cp), DBC_CHAR_INVALID);
        cr_assert_eq(n, 1);
        cr_assert_eq(dbc_char_next("\xe2\x82\xac", &n, &cp), DBC_CHAR_PLAIN);
        cr_assert_eq(cp, 0x20ac);
        cr_assert_eq(dbc_char_next("\xf0\x9f\x98\x80", &n, &cp), DBC_CHAR_PLAIN);
        cr_assert_eq(cp, 0x1f600);
        cr_assert_eq(dbc_char_next("\xc0\xaf", &n, &cp), DBC_CHAR_INVALID);   /* overlong '/' */
        cr_assert_eq(dbc_char_next("\xed\xa0\x80", &n, &cp), DBC_CHAR_INVALID); /* surrogate */
}

/* CSI (0x9b alone and as UTF-8 U+009B), OSC (ESC ]), BEL, DEL and bytes
 * that are no UTF-8: none reaches a terminal raw. */
Test(escape, text) {
        char *s;

        s = text("/a\x1b]0;title\x07" "b");
        cr_expect_str_eq(s, "/a\\x1b]0;title\\x07b");
        free(s);
        s = text("/\xc2\x9b" "31m/\x9b" "31m/\x7f/\xff\xfe/caf\xc3\xa9/foo\\x2dbar");
        cr_expect_str_eq(s, "/\\xc2\\x9b31m/\\x9b31m/\\x7f/\\xff\\xfe/caf\xc3\xa9/foo\\x2dbar");
        free(s);
        s = text("\xe2\x82");      /* truncated sequence */
        cr_expect_str_eq(s, "\\xe2\\x82");
        free(s);
}

Test(escape, prometheus) {
        char *s = written("/a\"b\\c\n\xc2\x9b\xff", DBC_ESCAPE_PROMETHEUS);

        cr_expect_str_eq(s, "/a\\\"b\\\\c\\\\x0a\\\\xc2\\\\x9b\\\\xff");
        free(s);
}

Test(escape, json_c1) {
        char *s = json("/\xc2\x9b" "31m\x1b]0;x\x07\xff\xc3\xa9");

        cr_expect_str_eq(s, "\"/\\u009b31m\\u001b]0;x\\u0007\\ufffd\xc3\xa9\"");
        free(s);
}

/* A table cell for the terminal: the text form, plus what the locale cannot
 * print (libsmartcols measures cells in the locale and loops on a byte it
 * cannot decode). */
Test(escape, terminal_c_locale) {
        char *s;

        cr_assert_not_null(setlocale(LC_CTYPE, "C"));
        s = dbc_escape("/caf\xc3\xa9/\xc2\x9b" "31m/\xff/a\\x2db", DBC_ESCAPE_TERMINAL);
        cr_expect_str_eq(s, "/caf\\xc3\\xa9/\\xc2\\x9b31m/\\xff/a\\x2db");
        free(s);
}

Test(escape, terminal_utf8_locale) {
        char *s;

        if (!setlocale(LC_CTYPE, "C.UTF-8"))
                cr_skip_test("no C.UTF-8 locale");
        /* é and the euro sign print; CSI, an unassigned code point and a
         * line separator (U+2028) do not */
        s = dbc_escape("/caf\xc3\xa9\xe2\x82\xac/\xc2\x9b/\xe2\x80\xa8/\xf3\xa0\x80\x80", DBC_ESCAPE_TERMINAL);
        cr_expect_str_eq(s, "/caf\xc3\xa9\xe2\x82\xac/\\xc2\\x9b/\\xe2\\x80\\xa8/\\xf3\\xa0\\x80\\x80");
        free(s);
        setlocale(LC_CTYPE, "C");
}

/* Format characters print as nothing but change how the rest reads (a
 * right-to-left override shows "evil\u202eexe.tset" as "eviltest.exe"):
 * glibc's iswprint() passes them, the terminal form must not. */
Test(escape, terminal_format_characters) {
        static const struct { const char *in, *out; } cases[] = {
                { "evil\xe2\x80\xae" "exe.tset", "evil\\xe2\\x80\\xaeexe.tset" },        /* U+202E RLO */
                { "a\xe2\x80\xaa" "b", "a\\xe2\\x80\\xaab" },                              /* U+202A LRE */
                { "a\xe2\x81\xa6" "b\xe2\x81\xa9", "a\\xe2\\x81\\xa6b\\xe2\\x81\\xa9" },     /* U+2066 LRI, U+2069 PDI */
                { "zw\xe2\x80\x8bsp", "zw\\xe2\\x80\\x8bsp" },                          /* U+200B ZWSP */
                { "j\xe2\x80\x8dj", "j\\xe2\\x80\\x8dj" },                              /* U+200D ZWJ */
                { "m\xe2\x80\x8f", "m\\xe2\\x80\\x8f" },                                /* U+200F RLM */
                { "p\xe2\x80\xa9", "p\\xe2\\x80\\xa9" },                                /* U+2029 */
                { "bom\xef\xbb\xbf", "bom\\xef\\xbb\\xbf" },                            /* U+FEFF */
                { "w\xe2\x81\xa0j", "w\\xe2\\x81\\xa0j" },                              /* U+2060 WJ */
                { "t\xf3\xa0\x80\x81", "t\\xf3\\xa0\\x80\\x81" },                    /* U+E0001 tag */
                { "s\xc2\xad", "s\\xc2\\xad" },                                            /* U+00AD soft hyphen */
                /* printable neighbours stay: U+2010 hyphen, U+2030 per mille, U+FEFE */
                { "\xe2\x80\x90\xe2\x80\xb0", "\xe2\x80\x90\xe2\x80\xb0" },
        };

        if (!setlocale(LC_CTYPE, "C.UTF-8"))
                cr_skip_test("no C.UTF-8 locale");
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                char *s = dbc_escape(cases[i].in, DBC_ESCAPE_TERMINAL);

                cr_expect_str_eq(s, cases[i].out, "case %zu", i);
                free(s);
        }
        setlocale(LC_CTYPE, "C");
}
