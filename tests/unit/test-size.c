/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "dmabufctl/macro.h"

#include "dmabufctl/size.h"

/* Sizes, table-driven. The systemd column: what systemd's parse_size()
 * (MemoryMax=, its test-parse-util cases) does with the same text, so a
 * difference is a decision, not an accident. */
struct size_case {
        const char *s;
        unsigned flags;
        int r;                  /* 0 or the error */
        uint64_t bytes;         /* r == 0 */
        uint32_t permyriad;     /* r == 0, a percentage */
        const char *bad;        /* r < 0: the token named */
};

/* Short rows: unnamed trailing fields are zero. */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

#define P DBC_SIZE_ALLOW_PERCENT
#define K_ 1024ULL
#define M_ (1024ULL * 1024)
#define G_ (1024ULL * 1024 * 1024)

static const struct size_case size_cases[] = {
        /* systemd.resource-control(5), MemoryMax=: bytes, K/M/G/T of 1024, a percentage, infinity */
        { "4096",               0, 0, 4096 },
        { "1K",                 0, 0, K_ },
        { "64M",                0, 0, 64 * M_ },
        { "3G",                 0, 0, 3 * G_ },
        { "2T",                 0, 0, 2 * 1024 * G_ },
        { "infinity",           0, 0, DBC_SIZE_MAX },
        { "max",                0, 0, DBC_SIZE_MAX },
        { " max ",              0, 0, DBC_SIZE_MAX },
        { "50%",                P, 0, 0, 5000 },
        { "12.5%",              P, 0, 0, 1250 },
        { "0%",                 P, 0, 0, 0 },
        { "100%",               P, 0, 0, 10000 },
        /* systemd's test-parse-util test_parse_size() */
        { "112 B",              0, 0, 112 },
        { "3.5 K",              0, 0, 3 * K_ + 512 },
        { "3.0 K",              0, 0, 3 * K_ },
        { " 4 M 11.5K",         0, 0, 4 * M_ + 11 * K_ + 512 },
        { "3.5G 4B",            0, 0, 3 * G_ + 512 * M_ + 4 },
        { "12P",                0, 0, 12ULL << 50 },
        { "3E 2P",              0, 0, (3ULL << 60) + (2ULL << 50) },
        { "3. K",               0, -EINVAL, 0, 0, "3." },
        { "3. 0 K",             0, -EINVAL, 0, 0, "3." },
        { "3B 3.5G",            0, -EINVAL, 0, 0, "3.5G" },
        { "3B 3G",              0, -EINVAL, 0, 0, "3G" },
        { "12P 12P",            0, -EINVAL, 0, 0, "12P" },
        /* systemd takes "3.5G3B"; a blank is required here, as "1E3" would
         * otherwise be 1E and 3 bytes and "1G5" 1G and 5 bytes */
        { "3.5G3B",             0, -EINVAL, 0, 0, "3.5G3B" },
        { "1E3",                0, -EINVAL, 0, 0, "1E3" },
        { "1G5",                0, -EINVAL, 0, 0, "1G5" },
        { "1K1",                0, -EINVAL, 0, 0, "1K1" },
        { "1G512M",             0, -EINVAL, 0, 0, "1G512M" },
        { "2G 1M5",             0, -EINVAL, 0, 0, "1M5" },
        { "3B3G",               0, -EINVAL, 0, 0, "3B3G" },
        { "12X",                0, -EINVAL, 0, 0, "X" },
        { "12.5X",              0, -EINVAL, 0, 0, "X" },
        { "12.5e3",             0, -EINVAL, 0, 0, "e3" },
        { "1024E",              0, -ERANGE, 0, 0, "1024E" },
        { "-1",                 0, -EINVAL, 0, 0, "-1" },
        { "-1024E",             0, -EINVAL, 0, 0, "-1024E" },
        { "-10B 20K",           0, -EINVAL, 0, 0, "-10B" },
        /* systemd rounds a fraction of bytes down ("111.4" is 111); a byte
         * count with a fraction is more likely a typo: refused */
        { "111.4",              0, -EINVAL, 0, 0, "111.4" },
        { "1.0",                0, 0, 1 },              /* whole: not a fraction of a byte */
        { "1.00B",              0, 0, 1 },
        { "2G 1.0",             0, 0, 2 * G_ + 1 },
        { "1.01B",              0, -EINVAL, 0, 0, "1.01B" },
        { "99999999999999999999%", P, -ERANGE, 0, 0, "99999999999999999999%" },
        { "112.6 B",            0, -EINVAL, 0, 0, "112.6 B" },
        /* the cases and edges */
        { "1.5G",               0, 0, G_ + 512 * M_ },
        { "0.5K",               0, 0, 512 },
        { "1.0000000001K",      0, 0, K_ },             /* rounded down */
        { "0",                  0, 0, 0 },
        { "18446744073709551615", 0, 0, UINT64_MAX },
        { "15E",                0, 0, 15ULL << 60 },
        { "16777215T",          0, 0, 16777215ULL << 40 },
        { "",                   0, -EINVAL, 0, 0, "" },
        { "   ",                0, -EINVAL, 0, 0, "   " },
        { "M",                  0, -EINVAL, 0, 0, "M" },
        { "1k",                 0, -EINVAL, 0, 0, "k" },
        { "1MB",                0, -EINVAL, 0, 0, "MB" },
        { "1MiB",               0, -EINVAL, 0, 0, "MiB" },
        { "0x10",               0, -EINVAL, 0, 0, "x10" },
        { "Max",                0, -EINVAL, 0, 0, "Max" },
        { "maximum",            0, -EINVAL, 0, 0, "maximum" },
        { ".5G",                0, -EINVAL, 0, 0, ".5G" },
        { "1 2",                0, -EINVAL, 0, 0, "1" },
        { "18446744073709551616", 0, -ERANGE, 0, 0, "18446744073709551616" },
        { "99999999999999999999999", 0, -ERANGE, 0, 0, "99999999999999999999999" },
        { "16E",                0, -ERANGE, 0, 0, "16E" },
        { "16777216T",          0, -ERANGE, 0, 0, "16777216T" },
        { "15E 1024P",          0, -ERANGE, 0, 0, "1024P" },
        { "50%",                0, -EDOM, 0, 0, "50%" },
        { "101%",               P, -ERANGE, 0, 0, "101%" },
        { "100.01%",            P, -ERANGE, 0, 0, "100.01%" },
        { "12.345%",            P, -EINVAL, 0, 0, "12.345%" },
        { "50%x",               P, -EINVAL, 0, 0, "x" },
        { "50% 1G",             P, -EINVAL, 0, 0, "1G" },
        { "1G 50%",             P, -EINVAL, 0, 0, "1G" },
        { "-5%",                P, -EINVAL, 0, 0, "-5%" },
};

Test(size, table) {
        for (size_t i = 0; i < sizeof(size_cases) / sizeof(size_cases[0]); i++) {
                const struct size_case *c = &size_cases[i];
                struct dbc_size sz = { .bytes = 42, .permyriad = 42 };
                struct dbc_token bad = {};
                int r = dbc_size_parse_full(c->s, c->flags, &sz, &bad);

                cr_assert_eq(r, c->r, "\"%s\": %d, want %d", c->s, r, c->r);
                if (r == 0) {
                        cr_assert_eq(sz.bytes, c->bytes, "\"%s\": %llu, want %llu", c->s,
                                     (unsigned long long) sz.bytes, (unsigned long long) c->bytes);
                        cr_assert_eq(sz.percent, strchr(c->s, '%') != NULL, "\"%s\": percent", c->s);
                        cr_assert_eq(sz.permyriad, c->permyriad, "\"%s\": %u permyriad", c->s, sz.permyriad);
                } else {
                        cr_assert_eq(sz.bytes, 42, "\"%s\": output written on failure", c->s);
                        cr_assert(bad.why && *bad.why, "\"%s\": no reason", c->s);
                        cr_assert(bad.offset + bad.len <= strlen(c->s));
                        cr_assert_eq(bad.len, strlen(c->bad), "\"%s\": token \"%.*s\", want \"%s\"", c->s,
                                     (int) bad.len, c->s + bad.offset, c->bad);
                        cr_assert(strneq(c->s + bad.offset, c->bad, bad.len), "\"%s\": token \"%.*s\", want \"%s\"",
                                  c->s, (int) bad.len, c->s + bad.offset, c->bad);
                }
        }
}

Test(size, plain_parse_refuses_percent) {
        uint64_t v = 7;

        cr_assert_eq(dbc_size_parse("1.5G", &v), 0);
        cr_assert_eq(v, G_ + 512 * M_);
        v = 7;
        cr_assert_eq(dbc_size_parse("50%", &v), -EDOM);
        cr_assert_eq(v, 7);
}

Test(size, resolve_percent) {
        struct dbc_size half = { .permyriad = 5000, .percent = true };
        struct dbc_size eighth = { .permyriad = 1250, .percent = true };
        struct dbc_size bytes = { .bytes = 123 };

        cr_assert_eq(dbc_size_resolve(&half, 16 * G_), 8 * G_);
        cr_assert_eq(dbc_size_resolve(&eighth, 16 * G_), 2 * G_);
        cr_assert_eq(dbc_size_resolve(&half, 3), 1);           /* rounded down */
        cr_assert_eq(dbc_size_resolve(&half, UINT64_MAX), UINT64_MAX / 2);
        cr_assert_eq(dbc_size_resolve(&bytes, 16 * G_), 123);
}

Test(size, token_describe) {
        struct dbc_size sz;
        struct dbc_token bad;
        char buf[128];

        cr_assert_eq(dbc_size_parse_full("1.5Q", 0, &sz, &bad), -EINVAL);
        cr_assert_str_eq(dbc_token_describe("1.5Q", &bad, buf, sizeof(buf)), "unknown unit \"Q\"");
}

static void write_file(const char *path, const char *text) {
        FILE *f = fopen(path, "we");

        cr_assert(f);
        fputs(text, f);
        fclose(f);
}

Test(size, physical_memory) {
        char dir[] = "/tmp/test-size-XXXXXX", path[64];
        uint64_t v = 7;

        cr_assert(mkdtemp(dir));
        snprintf(path, sizeof(path), "%s/meminfo", dir);
        cr_assert_eq(dbc_physical_memory(dir, &v), -ENOENT);
        write_file(path, "MemTotal:       16384000 kB\nMemFree:          1000 kB\n");
        cr_assert_eq(dbc_physical_memory(dir, &v), 0);
        cr_assert_eq(v, 16384000ULL * 1024);
        v = 7;
        write_file(path, "MemFree:          1000 kB\n");
        cr_assert_eq(dbc_physical_memory(dir, &v), -EINVAL);
        write_file(path, "MemTotal:       12x kB\n");
        cr_assert_eq(dbc_physical_memory(dir, &v), -EINVAL);
        write_file(path, "MemTotal:       12 MB\n");
        cr_assert_eq(dbc_physical_memory(dir, &v), -EINVAL);
        cr_assert_eq(v, 7);
        unlink(path);
        rmdir(dir);
}

Test(size, format) {
        char buf[DBC_FORMAT_MAX];

        cr_assert_str_eq(dbc_size_format(0, buf), "0B");
        cr_assert_str_eq(dbc_size_format(1023, buf), "1023B");
        cr_assert_str_eq(dbc_size_format(1024, buf), "1.0K");
        cr_assert_str_eq(dbc_size_format(1536, buf), "1.5K");
        cr_assert_str_eq(dbc_size_format(64ULL << 20, buf), "64M");
        cr_assert_str_eq(dbc_size_format((1ULL << 30) - 1, buf), "1023M");
        cr_assert_str_eq(dbc_size_format((10ULL << 20) - 1, buf), "9.9M");
        cr_assert_str_eq(dbc_size_format(5ULL << 40, buf), "5.0T");
        cr_assert_str_eq(dbc_size_format(DBC_SIZE_MAX, buf), "max");
        cr_assert_str_eq(dbc_size_format(DBC_SIZE_MAX - 1, buf), "15E");
}

Test(size, limit_files) {
        uint64_t v;

        cr_assert_eq(dbc_parse_limit("max\n", &v), 0);
        cr_assert_eq(v, DBC_SIZE_MAX);
        cr_assert_eq(dbc_parse_limit("67108864\n", &v), 0);
        cr_assert_eq(v, 67108864);
        cr_assert_eq(dbc_parse_limit("18446744073709551615\n", &v), 0);
        cr_assert_eq(v, UINT64_MAX);
        cr_assert_eq(dbc_parse_limit("12K\n", &v), -EINVAL);
        cr_assert_eq(dbc_parse_limit("\n", &v), -EINVAL);
        cr_assert_eq(dbc_parse_limit("1\n\n", &v), -EINVAL);
        cr_assert_eq(dbc_parse_limit("18446744073709551616", &v), -ERANGE);
}

/* Durations, table-driven, next to systemd.time(7)'s examples: the units we
 * take (us, ms, s, min, h in systemd's spellings) add up as there; days,
 * weeks, months and years are refused by name. */
struct duration_case {
        const char *s;
        int r;
        uint64_t ms;
        const char *bad;
        unsigned flags;
};

#define S DBC_DURATION_BARE_SECONDS

static const struct duration_case duration_cases[] = {
        /* systemd.time(7), "PARSING TIME SPANS" examples */
        { "2 h",                0, 7200000 },
        { "2hours",             0, 7200000 },
        { "48hr",               -ERANGE, 0, "48hr" },       /* systemd takes it; above our 24h */
        { "24hr",               0, 86400000 },
        { "55s500ms",           0, 55500 },
        { "1y 12month",         -EINVAL, 0, "y" },
        { "300ms20s 5day",      -EINVAL, 0, "day" },
        /* the issue's */
        { "1min 30s",           0, 90000 },
        { "1min30s",            0, 90000 },
        { "1h 1min 1s 1ms",     0, 3661001 },
        { "2.5s",               0, 2500 },
        { "1.5min",             0, 90000 },
        { "250ms",              0, 250 },
        { "2000us",             0, 2 },
        { "1000 usec",          0, 1 },
        { "2 sec",              0, 2000 },
        { "1 minute 2 seconds", 0, 62000 },
        { "10m",                0, 600000 },
        { "0s",                 0, 0 },
        { " 1s ",               0, 1000 },
        /* a bare number is seconds, as systemd reads it (parse_sec()),
         * where the caller allows it (the command line) */
        { "5",                  0, 5000, NULL, S },
        { "30",                 0, 30000, NULL, S },
        { "1min 30",            0, 90000, NULL, S },
        { "1min30",             0, 90000, NULL, S },
        { "0.5",                0, 500, NULL, S },
        { " 2 ",                0, 2000, NULL, S },
        { "0",                  0, 0, NULL, S },
        { "2.5s",               0, 2500, NULL, S },
        { "0.0005",             -EDOM, 0, "0.0005", S },
        { "5x",                 -EINVAL, 0, "x", S },
        /* refusals: a configuration key requires a unit */
        { "5",                  -EINVAL, 0, "5" },
        { "1min 30",            -EINVAL, 0, "30" },
        { "s",                  -EINVAL, 0, "s" },
        { "",                   -EINVAL, 0, "" },
        { "-1s",                -EINVAL, 0, "-1s" },
        { "5 mins",             -EINVAL, 0, "mins" },
        { "5M",                 -EINVAL, 0, "M" },
        { "1w",                 -EINVAL, 0, "w" },
        { "1.s",                -EINVAL, 0, "1.s" },
        { "1s,2s",              -EINVAL, 0, "s," },
        { "1500us",             -EDOM, 0, "1500us" },
        { "0.5ms",              -EDOM, 0, "0.5ms" },
        { "18446744073709551615min", -ERANGE, 0, "18446744073709551615min" },
        { "18446744073709551616ms", -ERANGE, 0, "18446744073709551616ms" },
        { "5124095576h 1h",     -ERANGE, 0, "1h" },
        /* at most 24h: nothing a deadline adds up wraps */
        { "24h",                0, 86400000 },
        { "1439min 60s",        0, 86400000 },
        { "24h 1ms",            -ERANGE, 0, "24h 1ms" },
        { "25h",                -ERANGE, 0, "25h" },
        { "5124095576h",        -ERANGE, 0, "5124095576h" },
        { "86401",              -ERANGE, 0, "86401", S },
};

Test(duration, table) {
        for (size_t i = 0; i < sizeof(duration_cases) / sizeof(duration_cases[0]); i++) {
                const struct duration_case *c = &duration_cases[i];
                struct dbc_token bad = {};
                uint64_t v = 7;
                int r = dbc_duration_parse_full(c->s, c->flags, &v, &bad);

                cr_assert_eq(r, c->r, "\"%s\": %d, want %d", c->s, r, c->r);
                if (r == 0) {
                        cr_assert_eq(v, c->ms, "\"%s\": %llu, want %llu", c->s, (unsigned long long) v,
                                     (unsigned long long) c->ms);
                        continue;
                }
                cr_assert_eq(v, 7, "\"%s\": output written on failure", c->s);
                cr_assert(bad.why && *bad.why, "\"%s\": no reason", c->s);
                cr_assert(bad.len == strlen(c->bad) && strneq(c->s + bad.offset, c->bad, bad.len),
                          "\"%s\": token \"%.*s\", want \"%s\"", c->s, (int) bad.len, c->s + bad.offset, c->bad);
        }
}

Test(duration, format) {
        char buf[DBC_FORMAT_MAX];

        cr_assert_str_eq(dbc_duration_format(250, buf), "250ms");
        cr_assert_str_eq(dbc_duration_format(2000, buf), "2s");
        cr_assert_str_eq(dbc_duration_format(90000, buf), "90s");
        cr_assert_str_eq(dbc_duration_format(600000, buf), "10min");
        cr_assert_str_eq(dbc_duration_format(7200000, buf), "2h");
        cr_assert_str_eq(dbc_duration_format(0, buf), "0ms");
}

Test(size, percent_format) {
        char buf[DBC_FORMAT_MAX];

        cr_assert_str_eq(dbc_percent_format(5000, buf), "50%");
        cr_assert_str_eq(dbc_percent_format(3750, buf), "37.5%");
        cr_assert_str_eq(dbc_percent_format(1234, buf), "12.34%");
        cr_assert_str_eq(dbc_percent_format(5, buf), "0.05%");
        cr_assert_str_eq(dbc_percent_format(10000, buf), "100%");
}
