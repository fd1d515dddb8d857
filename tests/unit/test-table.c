/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <criterion/criterion.h>
#include <errno.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "dmabufctl/table.h"

/* top cuts every line of its frame to the window with dbc_text_fit(): a
 * colour sequence takes no column, a double-width character two, and a
 * character is never split. */
Test(table, text_fit) {
        static const struct { const char *s; size_t cols, want; bool cut; } cases[] = {
                { "abcdef", 4, 4, true },
                { "abcd", 4, 4, false },
                { "abcd", 0, 0, true },
                { "", 3, 0, false },
                /* colour: "\033[33mwarn\033[0m" is 4 columns */
                { "\033[33mwarn\033[0m", 4, 13, false },
                { "ab \033[1;31mover\033[0m x", 5, 12, true },
                { "\033[33m", 0, 5, false },
                /* double width (U+4E2D, 3 bytes, 2 columns) */
                { "\xe4\xb8\xad\xe4\xb8\xad", 3, 3, true },
                { "\xe4\xb8\xad\xe4\xb8\xad", 4, 6, false },
                { "a\xe4\xb8\xad", 2, 1, true },
                /* é: 2 bytes, 1 column */
                { "caf\xc3\xa9!", 4, 5, true },
                /* an unfinished CSI is no sequence: its bytes count (ESC itself none) */
                { "\033[12", 2, 3, true },
        };

        if (!setlocale(LC_CTYPE, "C.UTF-8"))
                cr_skip_test("no C.UTF-8 locale");
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                bool cut;
                size_t n = dbc_text_fit(cases[i].s, strlen(cases[i].s), cases[i].cols, &cut);

                cr_expect_eq(n, cases[i].want, "case %zu: %zu bytes, want %zu", i, n, cases[i].want);
                cr_expect_eq(cut, cases[i].cut, "case %zu: cut %d", i, cut);
        }
        setlocale(LC_CTYPE, "C");
}

static const struct dbc_table_column cols[] = {
        { .name = "CGROUP", .help = "path" },
        { .name = "RSS", .help = "rss", .flags = DBC_COLUMN_HIDDEN },
        { .name = "STATE", .help = "state" },
};
static const struct dbc_column_set sets[] = { { cols, 3 } };

/* -o LIST and -o +LIST (lsblk's "add to the defaults"); the unknown name is
 * handed back as given (the caller escapes it). */
Test(table, output_parse) {
        char **names = NULL, *bad = NULL;
        bool add = true;

        cr_assert_eq(dbc_output_parse("rss,cgroup", sets, 1, &names, &add, &bad), 0);
        cr_expect_not(add);
        cr_expect_str_eq(names[0], "RSS");
        cr_expect_str_eq(names[1], "CGROUP");
        cr_expect_null(names[2]);
        dbc_output_free(names);

        cr_assert_eq(dbc_output_parse("+rss", sets, 1, &names, &add, &bad), 0);
        cr_expect(add);
        cr_expect_str_eq(names[0], "RSS");
        cr_expect_null(names[1]);
        dbc_output_free(names);

        cr_assert_eq(dbc_output_parse("+", sets, 1, &names, &add, &bad), -EINVAL);
        cr_expect_str_eq(bad, "");
        free(bad);
        cr_assert_eq(dbc_output_parse("cgroup,+state", sets, 1, &names, &add, &bad), -EINVAL);
        cr_expect_str_eq(bad, "+state");
        free(bad);
        cr_assert_eq(dbc_output_parse("++rss", sets, 1, &names, &add, &bad), -EINVAL);
        cr_expect_str_eq(bad, "+rss");
        free(bad);
}
