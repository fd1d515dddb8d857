/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Names we print come from whoever created a cgroup or named a buffer: one
 * classification of their characters serves text, JSON and metrics, so a
 * name cannot drive the administrator's terminal (C0, DEL and C1 controls:
 * CSI, OSC) or break a consumer that needs UTF-8 (Prometheus). */

enum dbc_char {
        DBC_CHAR_PLAIN,         /* valid UTF-8, no control character */
        DBC_CHAR_CONTROL,       /* U+0000-U+001F, U+007F, U+0080-U+009F (as UTF-8) */
        DBC_CHAR_INVALID,       /* a byte that starts no valid UTF-8 sequence */
};

/* Length of the valid UTF-8 sequence at s (1-4), or 0 when the bytes there
 * are not valid UTF-8 (overlong, surrogate, truncated, beyond U+10FFFF). */
size_t dbc_utf8_char_len(const char *s);

/* The character at s (*s != 0): its kind, its length in bytes (*ret_len: 1
 * for DBC_CHAR_INVALID) and its code point (*ret_cp; the byte for
 * DBC_CHAR_INVALID). */
enum dbc_char dbc_char_next(const char *s, size_t *ret_len, uint32_t *ret_cp);

enum dbc_escape_style {
        /* Controls, invalid bytes and format characters (bidi overrides
         * and isolates, zero-width characters, U+2028/2029, U+FEFF:
         * category Cf, which make one name read as another) as \xNN, one
         * per byte; everything else, backslashes included, as it is (so
         * systemd's escaped unit names, foo\x2dbar, paste back into a
         * command). */
        DBC_ESCAPE_TEXT,
        /* A Prometheus label value: the text form, then backslash and
         * double quote escaped, so the file is always valid UTF-8 and
         * parses, and a label reads like the name in `status`. */
        DBC_ESCAPE_PROMETHEUS,
        /* A cell of a table laid out for the terminal (libsmartcols, which
         * measures widths in the current locale): the text form, and also
         * each byte of a character the locale cannot print (iswprint()),
         * which is every byte above ASCII in a locale that is not UTF-8. */
        DBC_ESCAPE_TERMINAL,
};

/* Write s (NULL: "") to f in that style. */
void dbc_escape_write(FILE *f, const char *s, enum dbc_escape_style style);

/* The DBC_ESCAPE_TEXT form of s, allocated; NULL when out of memory. */
char *dbc_escape_text(const char *s);
/* The same in any style. */
char *dbc_escape(const char *s, enum dbc_escape_style style);
