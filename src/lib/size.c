/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dmabufctl/escape.h"
#include "dmabufctl/macro.h"
#include "dmabufctl/size.h"

int dbc_parse_u64_range(const char *p, const char *end, uint64_t *ret) {
        uint64_t v = 0;

        if (p == end)
                return -EINVAL;
        for (; p < end; p++) {
                unsigned d;

                if (*p < '0' || *p > '9')
                        return -EINVAL;
                d = (unsigned) (*p - '0');
                if (v > (UINT64_MAX - d) / 10)
                        return -ERANGE;
                v = v * 10 + d;
        }
        *ret = v;
        return 0;
}

/* Strict: digits only, no sign, no spaces, no empty string. Returns the
 * end of the digits via *end. */
static int parse_digits(const char *s, uint64_t *ret, const char **end) {
        const char *p = s;
        int r;

        while (*p >= '0' && *p <= '9')
                p++;
        r = dbc_parse_u64_range(s, p, ret);
        if (r < 0)
                return r;
        *end = p;
        return 0;
}

int dbc_parse_u64(const char *s, uint64_t *ret) {
        const char *end;
        uint64_t v;
        int r;

        r = parse_digits(s, &v, &end);
        if (r < 0)
                return r;
        if (*end != '\0')
                return -EINVAL;
        *ret = v;
        return 0;
}

int dbc_parse_limit(const char *s, uint64_t *ret) {
        const char *end;
        uint64_t v;
        int r;

        if (strneq(s, "max", 3) && (s[3] == '\0' || (s[3] == '\n' && s[4] == '\0'))) {
                *ret = DBC_SIZE_MAX;
                return 0;
        }
        r = parse_digits(s, &v, &end);
        if (r < 0)
                return r;
        if (*end == '\n')
                end++;
        if (*end != '\0')
                return -EINVAL;
        *ret = v;
        return 0;
}

#define BLANKS " \t"

static int token_error(struct dbc_token *bad, const char *s, const char *at, size_t len, const char *why, int r) {
        if (bad)
                *bad = (struct dbc_token) { .offset = (size_t) (at - s), .len = len ? len : strlen(at), .why = why };
        return r;
}

/* Length of the run of non-blank bytes at p (for naming a bad token). */
static size_t word_len(const char *p) {
        return strcspn(p, BLANKS);
}

/* A decimal number with an optional fraction: whole part in *whole, the
 * fraction's digits as an integer in *frac with *frac_digits of them (at
 * most 18 are kept; more only add precision below what we round to). */
static int parse_number(const char *p, uint64_t *whole, uint64_t *frac, unsigned *frac_digits, const char **end) {
        const char *q = p;
        int r;

        while (*q >= '0' && *q <= '9')
                q++;
        r = dbc_parse_u64_range(p, q, whole);
        if (r < 0)
                return r;
        *frac = 0;
        *frac_digits = 0;
        if (*q == '.') {
                q++;
                if (*q < '0' || *q > '9')
                        return -EINVAL;
                for (; *q >= '0' && *q <= '9'; q++)
                        if (*frac_digits < 18) {
                                *frac = *frac * 10 + (uint64_t) (*q - '0');
                                (*frac_digits)++;
                        }
        }
        *end = q;
        return 0;
}

/* The number starting a component of s at tok, errors naming it. */
static int component_number(const char *s, const char *tok, uint64_t *whole, uint64_t *frac, unsigned *digits,
                            const char **end, struct dbc_token *bad) {
        int r = parse_number(tok, whole, frac, digits, end);

        if (r == -ERANGE)
                return token_error(bad, s, tok, word_len(tok), "too large:", -ERANGE);
        if (r < 0)
                return token_error(bad, s, tok, word_len(tok), "not a number", -EINVAL);
        return 0;
}

static uint64_t pow10u(unsigned n) {
        uint64_t v = 1;

        while (n--)
                v *= 10;
        return v;
}

/* whole + frac / 10^digits, times factor, rounded down; -ERANGE beyond 64 bits. */
static int scale(uint64_t whole, uint64_t frac, unsigned digits, uint64_t factor, uint64_t *ret) {
        unsigned __int128 v = (unsigned __int128) whole * factor +
                              (unsigned __int128) frac * factor / pow10u(digits);

        if (v > UINT64_MAX)
                return -ERANGE;
        *ret = (uint64_t) v;
        return 0;
}

static int add(uint64_t *sum, uint64_t v) {
        if (*sum > UINT64_MAX - v)
                return -ERANGE;
        *sum += v;
        return 0;
}

/* "N%" with up to two decimals, at most 100%, as parts per 10000. */
static int parse_percent(const char *s, const char *p, uint32_t *ret, struct dbc_token *bad) {
        uint64_t whole, frac, pm;
        unsigned digits;
        const char *end;
        int r = parse_number(p, &whole, &frac, &digits, &end);

        if (r == -ERANGE)
                return token_error(bad, s, p, word_len(p), "above 100%:", -ERANGE);
        if (r < 0 || *end != '%')
                return token_error(bad, s, p, word_len(p), "not a percentage", -EINVAL);
        if (digits > 2)
                return token_error(bad, s, p, word_len(p), "more than two decimals in", -EINVAL);
        if (end[1 + strspn(end + 1, BLANKS)] != '\0')
                return token_error(bad, s, end + 1 + strspn(end + 1, BLANKS), 0, "trailing", -EINVAL);
        if (whole > 100)
                return token_error(bad, s, p, word_len(p), "above 100%:", -ERANGE);
        pm = whole * 100 + frac * pow10u(2 - digits);
        if (pm > 10000)
                return token_error(bad, s, p, word_len(p), "above 100%:", -ERANGE);
        *ret = (uint32_t) pm;
        return 0;
}

int dbc_size_parse_full(const char *s, unsigned flags, struct dbc_size *ret, struct dbc_token *bad) {
        /* Largest first: several components must come in decreasing units. */
        static const struct { char suffix; unsigned shift; } units[] = {
                { 'E', 60 }, { 'P', 50 }, { 'T', 40 }, { 'G', 30 }, { 'M', 20 }, { 'K', 10 }, { 'B', 0 },
        };
        const char *p = s + strspn(s, BLANKS);
        size_t n = strlen(p);
        size_t next_unit = 0;
        uint64_t sum = 0;

        while (n > 0 && strchr(BLANKS, p[n - 1]))
                n--;
        if (n == 0)
                return token_error(bad, s, s, 0, "empty", -EINVAL);
        if ((n == 3 && strneq(p, "max", 3)) || (n == 8 && strneq(p, "infinity", 8))) {
                *ret = (struct dbc_size) { .bytes = DBC_SIZE_MAX };
                return 0;
        }
        if (memchr(p, '%', n)) {
                uint32_t pm;
                int r;

                if (!(flags & DBC_SIZE_ALLOW_PERCENT))
                        return token_error(bad, s, p, word_len(p), "a percentage of physical memory is only taken by memory.max and memory.high:", -EDOM);
                r = parse_percent(s, p, &pm, bad);
                if (r < 0)
                        return r;
                *ret = (struct dbc_size) { .permyriad = pm, .percent = true };
                return 0;
        }

        while (*p) {
                const char *tok = p, *end;
                uint64_t whole, frac, v;
                unsigned digits;
                size_t u;
                int r;

                if (*p == '-')
                        return token_error(bad, s, tok, word_len(tok), "negative", -EINVAL);
                r = component_number(s, tok, &whole, &frac, &digits, &end, bad);
                if (r < 0)
                        return r;
                p = end + strspn(end, BLANKS);
                if (*p == '\0' || (*p >= '0' && *p <= '9')) {
                        /* no unit: bytes, and only as the last component */
                        if (*p != '\0')
                                return token_error(bad, s, tok, (size_t) (end - tok), "missing unit after", -EINVAL);
                        u = ELEMENTSOF(units) - 1;
                } else {
                        for (u = 0; u < ELEMENTSOF(units) && *p != units[u].suffix; u++)
                                ;
                        if (u == ELEMENTSOF(units))
                                return token_error(bad, s, p, word_len(p), "unknown unit", -EINVAL);
                        /* "1E3" is no exbibyte and three bytes, nor 1000: a
                         * blank must come between components ("1G 512M") */
                        if (p[1] >= '0' && p[1] <= '9')
                                return token_error(bad, s, tok, word_len(tok),
                                                   "a blank must separate components (1G 512M), not", -EINVAL);
                        if (p[1] != '\0' && !strchr(BLANKS, p[1]))
                                return token_error(bad, s, p, word_len(p), "unknown unit", -EINVAL);
                        if (u < next_unit)
                                return token_error(bad, s, tok, (size_t) (p + 1 - tok), "units must decrease, not repeat:", -EINVAL);
                        p++;
                }
                /* "1.0" is a whole byte; "1.5" is refused, not rounded */
                if (units[u].shift == 0 && frac > 0)
                        return token_error(bad, s, tok, (size_t) (p - tok), "a fraction of a byte:", -EINVAL);
                if (scale(whole, frac, digits, UINT64_C(1) << units[u].shift, &v) < 0 || add(&sum, v) < 0)
                        return token_error(bad, s, tok, (size_t) (p - tok), "too large:", -ERANGE);
                next_unit = u + 1;
                p += strspn(p, BLANKS);
        }
        *ret = (struct dbc_size) { .bytes = sum };
        return 0;
}

int dbc_size_parse(const char *s, uint64_t *ret) {
        struct dbc_size sz;
        int r;

        r = dbc_size_parse_full(s, 0, &sz, NULL);
        if (r < 0)
                return r;
        *ret = sz.bytes;
        return 0;
}

uint64_t dbc_size_resolve(const struct dbc_size *sz, uint64_t physical) {
        if (!sz->percent)
                return sz->bytes;
        return (uint64_t) ((unsigned __int128) physical * sz->permyriad / 10000);
}

const char *dbc_percent_format(uint32_t permyriad, char buf[static DBC_FORMAT_MAX]) {
        if (permyriad % 100 == 0)
                snprintf(buf, DBC_FORMAT_MAX, "%u%%", permyriad / 100);
        else if (permyriad % 10 == 0)
                snprintf(buf, DBC_FORMAT_MAX, "%u.%u%%", permyriad / 100, permyriad % 100 / 10);
        else
                snprintf(buf, DBC_FORMAT_MAX, "%u.%02u%%", permyriad / 100, permyriad % 100);
        return buf;
}

int dbc_physical_memory(const char *proc_root, uint64_t *ret) {
        _cleanup_fclose_ FILE *f = NULL;
        char path[PATH_MAX], line[256];

        snprintf(path, sizeof(path), "%s/meminfo", proc_root ? proc_root : "/proc");
        f = fopen(path, "re");
        if (!f)
                return -errno;
        while (fgets(line, sizeof(line), f)) {
                const char *p = line + strlen("MemTotal:"), *end;
                uint64_t kib;

                if (!strneq(line, "MemTotal:", strlen("MemTotal:")))
                        continue;
                p += strspn(p, BLANKS);
                end = p + strspn(p, "0123456789");
                if (dbc_parse_u64_range(p, end, &kib) < 0 || !streq(end, " kB\n") || kib > UINT64_MAX / 1024)
                        return -EINVAL;
                *ret = kib * 1024;
                return 0;
        }
        return ferror(f) ? -EIO : -EINVAL;
}

const char *dbc_size_format(uint64_t bytes, char buf[static DBC_FORMAT_MAX]) {
        static const char suffix[] = "KMGTPE";
        unsigned i;

        if (bytes == DBC_SIZE_MAX) {
                strcpy(buf, "max");
                return buf;
        }
        if (bytes < 1024) {
                snprintf(buf, DBC_FORMAT_MAX, "%" PRIu64 "B", bytes);
                return buf;
        }
        /* Find the unit that leaves a value in [1, 1024). */
        for (i = 0; i + 1 < sizeof(suffix) - 1 && bytes >= (UINT64_C(1024) << (10 * (i + 1))); i++)
                ;
        uint64_t unit = UINT64_C(1024) << (10 * i);
        uint64_t whole = bytes / unit;
        /* Tenths, rounded down so a value just under a limit never prints as
         * the limit. */
        uint64_t tenths = (bytes % unit) * 10 / unit;   /* remainder < 2^60: no overflow */

        if (whole < 10)
                snprintf(buf, DBC_FORMAT_MAX, "%" PRIu64 ".%" PRIu64 "%c", whole, tenths, suffix[i]);
        else
                snprintf(buf, DBC_FORMAT_MAX, "%" PRIu64 "%c", whole, suffix[i]);
        return buf;
}

#define USEC_PER_SEC UINT64_C(1000000)

int dbc_duration_parse_full(const char *s, unsigned flags, uint64_t *ret_ms, struct dbc_token *bad) {
        /* systemd's spellings of the units we take; longest first where one
         * is a prefix of another. */
        static const struct { const char *name; uint64_t usec; } units[] = {
                { "usec", 1 }, { "us", 1 },
                { "msec", 1000 }, { "ms", 1000 },
                { "seconds", 1000000 }, { "second", 1000000 }, { "sec", 1000000 }, { "s", 1000000 },
                { "minutes", 60000000 }, { "minute", 60000000 }, { "min", 60000000 }, { "m", 60000000 },
                { "hours", 3600000000 }, { "hour", 3600000000 }, { "hr", 3600000000 }, { "h", 3600000000 },
        };
        const char *p = s + strspn(s, BLANKS);
        uint64_t sum = 0;

        if (*p == '\0')
                return token_error(bad, s, s, 0, "empty", -EINVAL);
        while (*p) {
                const char *tok = p, *end, *u;
                uint64_t whole, frac, v, usec;
                unsigned digits;
                size_t n, i;
                int r;

                r = component_number(s, tok, &whole, &frac, &digits, &end, bad);
                if (r < 0)
                        return r;
                u = end + strspn(end, BLANKS);
                n = strcspn(u, BLANKS "0123456789.");
                /* no unit: seconds, as systemd reads "5" and "1min 30",
                 * where the caller takes that */
                if (n == 0 && !(flags & DBC_DURATION_BARE_SECONDS))
                        return token_error(bad, s, tok, (size_t) (end - tok), "a unit is required after", -EINVAL);
                usec = USEC_PER_SEC;
                if (n > 0) {
                        for (i = 0; i < ELEMENTSOF(units); i++)
                                if (strlen(units[i].name) == n && strneq(u, units[i].name, n))
                                        break;
                        if (i == ELEMENTSOF(units))
                                return token_error(bad, s, u, n, "unknown unit", -EINVAL);
                        usec = units[i].usec;
                }
                if (scale(whole, frac, digits, usec, &v) < 0 || add(&sum, v) < 0)
                        return token_error(bad, s, tok, (size_t) (u + n - tok), "too large:", -ERANGE);
                p = u + n;
                p += strspn(p, BLANKS);
        }
        if (sum % 1000 != 0)
                return token_error(bad, s, s, strlen(s), "not a whole number of milliseconds:", -EDOM);
        if (sum / 1000 > DBC_DURATION_MAX_MS)
                return token_error(bad, s, s, strlen(s), "above 24h, the longest taken:", -ERANGE);
        *ret_ms = sum / 1000;
        return 0;
}

int dbc_duration_parse(const char *s, uint64_t *ret_ms) {
        return dbc_duration_parse_full(s, 0, ret_ms, NULL);
}

const char *dbc_token_describe(const char *s, const struct dbc_token *bad, char *buf, size_t size) {
        _cleanup_free_ char *tok = strndup(s + bad->offset, bad->len);
        _cleanup_free_ char *escaped = tok ? dbc_escape_text(tok) : NULL;

        snprintf(buf, size, "%s \"%s\"", bad->why, escaped ? escaped : "?");
        return buf;
}

const char *dbc_duration_format(uint64_t ms, char buf[static DBC_FORMAT_MAX]) {
        if (ms != 0 && ms % 3600000 == 0)
                snprintf(buf, DBC_FORMAT_MAX, "%" PRIu64 "h", ms / 3600000);
        else if (ms != 0 && ms % 60000 == 0)
                snprintf(buf, DBC_FORMAT_MAX, "%" PRIu64 "min", ms / 60000);
        else if (ms != 0 && ms % 1000 == 0)
                snprintf(buf, DBC_FORMAT_MAX, "%" PRIu64 "s", ms / 1000);
        else
                snprintf(buf, DBC_FORMAT_MAX, "%" PRIu64 "ms", ms);
        return buf;
}
