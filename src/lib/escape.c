/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#include <wctype.h>

#include "dmabufctl/escape.h"
#include "dmabufctl/macro.h"

size_t dbc_utf8_char_len(const char *str) {
        const unsigned char *s = (const unsigned char *) str;
        unsigned char c = s[0];
        size_t n;
        uint32_t cp;

        if (c < 0x80)
                return 1;
        if (c >= 0xc2 && c <= 0xdf) {
                n = 2;
                cp = c & 0x1f;
        } else if (c >= 0xe0 && c <= 0xef) {
                n = 3;
                cp = c & 0x0f;
        } else if (c >= 0xf0 && c <= 0xf4) {
                n = 4;
                cp = c & 0x07;
        } else
                return 0;
        for (size_t i = 1; i < n; i++) {
                if ((s[i] & 0xc0) != 0x80)
                        return 0;
                cp = (cp << 6) | (s[i] & 0x3f);
        }
        /* overlong forms, surrogates, beyond U+10FFFF */
        if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
            (cp >= 0xd800 && cp <= 0xdfff))
                return 0;
        return n;
}

enum dbc_char dbc_char_next(const char *str, size_t *ret_len, uint32_t *ret_cp) {
        const unsigned char *s = (const unsigned char *) str;
        size_t n = dbc_utf8_char_len(str);
        uint32_t cp;

        if (n == 0) {
                *ret_len = 1;
                *ret_cp = s[0];
                return DBC_CHAR_INVALID;
        }
        cp = n == 1 ? s[0] : s[0] & (0x7f >> n);
        for (size_t i = 1; i < n; i++)
                cp = (cp << 6) | (s[i] & 0x3f);
        *ret_len = n;
        *ret_cp = cp;
        return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) ? DBC_CHAR_CONTROL : DBC_CHAR_PLAIN;
}

/* Characters that change how the text around them shows but show nothing
 * themselves (Unicode general category Cf, and the line and paragraph
 * separators): bidi overrides and isolates turn "evil\u202eexe.tset" into
 * what reads as "eviltest.exe", zero-width ones make two names look the same
 * (Trojan Source, CVE-2021-42574). glibc's iswprint() is true for most of
 * them, so they are listed here: every Cf code point of Unicode 15. */
static bool format_char(uint32_t cp) {
        static const struct { uint32_t first, last; } ranges[] = {
                { 0x00ad, 0x00ad },     /* soft hyphen */
                { 0x0600, 0x0605 }, { 0x061c, 0x061c }, { 0x06dd, 0x06dd }, { 0x070f, 0x070f },
                { 0x0890, 0x0891 }, { 0x08e2, 0x08e2 }, { 0x180e, 0x180e },
                { 0x200b, 0x200f },     /* zero width space, joiners, LRM, RLM */
                { 0x2028, 0x202e },     /* line/paragraph separator, LRE..RLO */
                { 0x2060, 0x2064 }, { 0x2066, 0x206f },     /* word joiner..; LRI..PDI; deprecated */
                { 0xfeff, 0xfeff },     /* zero width no-break space (BOM) */
                { 0xfff9, 0xfffb },     /* interlinear annotation */
                { 0x110bd, 0x110bd }, { 0x110cd, 0x110cd }, { 0x13430, 0x1343f },
                { 0x1bca0, 0x1bca3 }, { 0x1d173, 0x1d17a },
                { 0xe0001, 0xe0001 }, { 0xe0020, 0xe007f },     /* tags */
        };

        for (size_t i = 0; i < ELEMENTSOF(ranges); i++)
                if (cp >= ranges[i].first && cp <= ranges[i].last)
                        return true;
        return false;
}

/* A plain character the current locale can print: ASCII always; above it,
 * when the locale is UTF-8 and iswprint() says so. */
static bool printable_here(const char *p, size_t n) {
        mbstate_t st = {};
        wchar_t wc;

        if (n == 1)
                return true;
        if (MB_CUR_MAX == 1)
                return false;
        return mbrtowc(&wc, p, n, &st) == n && iswprint((wint_t) wc);
}

void dbc_escape_write(FILE *f, const char *s, enum dbc_escape_style style) {
        const char *p = s ? s : "";

        while (*p) {
                size_t n;
                uint32_t cp;

                if (dbc_char_next(p, &n, &cp) != DBC_CHAR_PLAIN || format_char(cp) ||
                    (style == DBC_ESCAPE_TERMINAL && !printable_here(p, n))) {
                        for (size_t i = 0; i < n; i++)
                                fprintf(f, style == DBC_ESCAPE_PROMETHEUS ? "\\\\x%02x" : "\\x%02x",
                                        (unsigned char) p[i]);
                } else {
                        if (style == DBC_ESCAPE_PROMETHEUS && (*p == '\\' || *p == '"'))
                                fputc('\\', f);
                        fwrite(p, 1, n, f);
                }
                p += n;
        }
}

char *dbc_escape(const char *s, enum dbc_escape_style style) {
        char *out = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&out, &size);

        if (!f)
                return NULL;
        dbc_escape_write(f, s, style);
        if (fclose(f) != 0) {
                free(out);
                return NULL;
        }
        return out;
}

char *dbc_escape_text(const char *s) {
        return dbc_escape(s, DBC_ESCAPE_TEXT);
}
