/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <criterion/criterion.h>
#include <errno.h>

#include "dmabufctl/size.h"

static uint64_t size_ok(const char *s) {
        uint64_t v = 0;
        int r = dbc_size_parse(s, &v);
        cr_assert_eq(r, 0, "parse \"%s\": %d", s, r);
        return v;
}

static int size_err(const char *s) {
        uint64_t v = 42;
        int r = dbc_size_parse(s, &v);
        cr_assert_eq(v, 42, "\"%s\": output written on failure", s);
        return r;
}

Test(size, plain_and_suffixes) {
        cr_assert_eq(size_ok("0"), 0);
        cr_assert_eq(size_ok("4096"), 4096);
        cr_assert_eq(size_ok("1K"), 1024);
        cr_assert_eq(size_ok("64M"), 64ULL << 20);
        cr_assert_eq(size_ok("3G"), 3ULL << 30);
        cr_assert_eq(size_ok("2T"), 2ULL << 40);
        cr_assert_eq(size_ok("max"), DBC_SIZE_MAX);
        cr_assert_eq(size_ok("18446744073709551615"), UINT64_MAX);
        cr_assert_eq(size_ok("16777215T"), 16777215ULL << 40);
}

Test(size, garbage_and_overflow) {
        cr_assert_eq(size_err(""), -EINVAL);
        cr_assert_eq(size_err("M"), -EINVAL);
        cr_assert_eq(size_err("-1"), -EINVAL);
        cr_assert_eq(size_err(" 1"), -EINVAL);
        cr_assert_eq(size_err("1 "), -EINVAL);
        cr_assert_eq(size_err("1.5M"), -EINVAL);
        cr_assert_eq(size_err("1k"), -EINVAL);
        cr_assert_eq(size_err("1MB"), -EINVAL);
        cr_assert_eq(size_err("1MiB"), -EINVAL);
        cr_assert_eq(size_err("0x10"), -EINVAL);
        cr_assert_eq(size_err("Max"), -EINVAL);
        cr_assert_eq(size_err("18446744073709551616"), -ERANGE);
        cr_assert_eq(size_err("99999999999999999999999"), -ERANGE);
        cr_assert_eq(size_err("16777216T"), -ERANGE);
        cr_assert_eq(size_err("17179869184G"), -ERANGE);
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

Test(duration, parse) {
        uint64_t v;

        cr_assert_eq(dbc_duration_parse("250ms", &v), 0);
        cr_assert_eq(v, 250);
        cr_assert_eq(dbc_duration_parse("2s", &v), 0);
        cr_assert_eq(v, 2000);
        cr_assert_eq(dbc_duration_parse("10min", &v), 0);
        cr_assert_eq(v, 600000);
        cr_assert_eq(dbc_duration_parse("0s", &v), 0);
        cr_assert_eq(v, 0);
        v = 7;
        cr_assert_eq(dbc_duration_parse("5", &v), -EINVAL);
        cr_assert_eq(dbc_duration_parse("5m", &v), -EINVAL);
        cr_assert_eq(dbc_duration_parse("5 s", &v), -EINVAL);
        cr_assert_eq(dbc_duration_parse("s", &v), -EINVAL);
        cr_assert_eq(dbc_duration_parse("1.5s", &v), -EINVAL);
        cr_assert_eq(dbc_duration_parse("5h", &v), -EINVAL);
        cr_assert_eq(dbc_duration_parse("18446744073709551615min", &v), -ERANGE);
        cr_assert_eq(dbc_duration_parse("18446744073709551616ms", &v), -ERANGE);
        cr_assert_eq(v, 7);
}

Test(duration, format) {
        char buf[DBC_FORMAT_MAX];

        cr_assert_str_eq(dbc_duration_format(250, buf), "250ms");
        cr_assert_str_eq(dbc_duration_format(2000, buf), "2s");
        cr_assert_str_eq(dbc_duration_format(90000, buf), "90s");
        cr_assert_str_eq(dbc_duration_format(600000, buf), "10min");
        cr_assert_str_eq(dbc_duration_format(0, buf), "0ms");
}
