/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

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

int dbc_size_parse(const char *s, uint64_t *ret) {
        const char *end;
        unsigned shift;
        uint64_t v;
        int r;

        if (streq(s, "max")) {
                *ret = DBC_SIZE_MAX;
                return 0;
        }
        r = parse_digits(s, &v, &end);
        if (r < 0)
                return r;
        switch (*end) {
        case '\0': shift = 0; break;
        case 'K': shift = 10; break;
        case 'M': shift = 20; break;
        case 'G': shift = 30; break;
        case 'T': shift = 40; break;
        default: return -EINVAL;
        }
        if (shift > 0 && end[1] != '\0')
                return -EINVAL;
        if (shift > 0 && v > (UINT64_MAX >> shift))
                return -ERANGE;
        *ret = v << shift;
        return 0;
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

int dbc_duration_parse(const char *s, uint64_t *ret_ms) {
        const char *end;
        uint64_t v, mult;
        int r;

        r = parse_digits(s, &v, &end);
        if (r < 0)
                return r;
        if (streq(end, "ms"))
                mult = 1;
        else if (streq(end, "s"))
                mult = 1000;
        else if (streq(end, "min"))
                mult = 60 * 1000;
        else
                return -EINVAL;
        if (v > UINT64_MAX / mult)
                return -ERANGE;
        *ret_ms = v * mult;
        return 0;
}

const char *dbc_duration_format(uint64_t ms, char buf[static DBC_FORMAT_MAX]) {
        if (ms != 0 && ms % 60000 == 0)
                snprintf(buf, DBC_FORMAT_MAX, "%" PRIu64 "min", ms / 60000);
        else if (ms != 0 && ms % 1000 == 0)
                snprintf(buf, DBC_FORMAT_MAX, "%" PRIu64 "s", ms / 1000);
        else
                snprintf(buf, DBC_FORMAT_MAX, "%" PRIu64 "ms", ms);
        return buf;
}
