/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <criterion/criterion.h>
#include <locale.h>
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
