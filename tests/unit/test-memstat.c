/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "dmabufctl/memstat.h"

#define PARSE(text, m) dbc_memstat_parse((text), strlen(text), (m))

/* Shape of a real v6.12 memory.stat with the patch's key, trimmed. */
static const char real_stat[] =
        "anon 1388544\n"
        "file 6443008\n"
        "kernel 1130496\n"
        "kernel_stack 65536\n"
        "pagetables 114688\n"
        "sec_pagetables 0\n"
        "percpu 0\n"
        "sock 0\n"
        "vmalloc 0\n"
        "shmem 0\n"
        "dmabuf 67108864\n"
        "file_mapped 3244032\n"
        "pgfault 4171\n"
        "workingset_refault_anon 0\n";

Test(memstat, real_content) {
        struct dbc_memstat m;

        cr_assert_eq(PARSE(real_stat, &m), 0);
        cr_assert_eq(m.anon, 1388544);
        cr_assert_eq(m.file, 6443008);
        cr_assert_eq(m.kernel, 1130496);
        cr_assert(m.has_dmabuf);
        cr_assert_eq(m.dmabuf, 67108864);
}

Test(memstat, any_order_and_unknown_keys) {
        struct dbc_memstat m;

        cr_assert_eq(PARSE("vendor_gpu 12\ndmabuf 4096\nzzz 1\nanon 7\n", &m), 0);
        cr_assert_eq(m.dmabuf, 4096);
        cr_assert_eq(m.anon, 7);
        cr_assert(m.has_dmabuf);
}

Test(memstat, absent_dmabuf_is_not_zero) {
        struct dbc_memstat m;

        cr_assert_eq(PARSE("anon 1\nfile 2\n", &m), 0);
        cr_assert_not(m.has_dmabuf);
        cr_assert_eq(PARSE("dmabuf 0\n", &m), 0);
        cr_assert(m.has_dmabuf);
        cr_assert_eq(m.dmabuf, 0);
}

Test(memstat, exact_64bit) {
        struct dbc_memstat m;

        cr_assert_eq(PARSE("dmabuf 18446744073709551615\n", &m), 0);
        cr_assert_eq(m.dmabuf, UINT64_MAX);
        cr_assert_eq(PARSE("dmabuf 18446744073709551614\nanon 9223372036854775808", &m), 0);
        cr_assert_eq(m.dmabuf, UINT64_MAX - 1);
        cr_assert_eq(m.anon, 9223372036854775808ULL);
}

Test(memstat, malformed) {
        struct dbc_memstat m = { .dmabuf = 99 };

        cr_assert_eq(PARSE("dmabuf 18446744073709551616\n", &m), -EINVAL);
        cr_assert_eq(PARSE("dmabuf\n", &m), -EINVAL);
        cr_assert_eq(PARSE("dmabuf \n", &m), -EINVAL);
        cr_assert_eq(PARSE("dmabuf -1\n", &m), -EINVAL);
        cr_assert_eq(PARSE("dmabuf 12x\n", &m), -EINVAL);
        cr_assert_eq(PARSE(" 12\n", &m), -EINVAL);
        cr_assert_eq(m.dmabuf, 99, "output written on failure");
}

Test(memstat, empty_and_unterminated) {
        struct dbc_memstat m;

        cr_assert_eq(dbc_memstat_parse("", 0, &m), 0);
        cr_assert_not(m.has_dmabuf);
        /* not NUL terminated: the length is what counts */
        cr_assert_eq(dbc_memstat_parse("dmabuf 4096garbage", 11, &m), 0);
        cr_assert_eq(m.dmabuf, 4096);
}

Test(memevents, real_content) {
        struct dbc_memevents e;
        const char *t = "low 0\nhigh 12\nmax 3\noom 2\noom_kill 1\noom_group_kill 0\n";

        cr_assert_eq(dbc_memevents_parse(t, strlen(t), &e), 0);
        cr_assert_eq(e.high, 12);
        cr_assert_eq(e.max, 3);
        cr_assert_eq(e.oom, 2);
        cr_assert_eq(e.oom_kill, 1);
        cr_assert_eq(e.oom_group_kill, 0);
}

Test(memevents, unknown_keys_and_malformed) {
        struct dbc_memevents e;
        const char *t = "oom_kill 18446744073709551615\nsock_throttled 5\n";

        cr_assert_eq(dbc_memevents_parse(t, strlen(t), &e), 0);
        cr_assert_eq(e.oom_kill, UINT64_MAX);
        cr_assert_eq(dbc_memevents_parse("max x\n", 6, &e), -EINVAL);
}

Test(read_file, missing_and_content) {
        char path[] = "/tmp/dbc-test-XXXXXX", buf[64];
        int fd = mkstemp(path);

        cr_assert_geq(fd, 0);
        cr_assert_eq(write(fd, "dmabuf 1\n", 9), 9);
        cr_assert_eq(dbc_read_file_at(AT_FDCWD, path, buf, sizeof(buf)), 9);
        cr_assert_str_eq(buf, "dmabuf 1\n");
        /* re-read through the kept fd */
        cr_assert_eq(dbc_read_file_at(fd, NULL, buf, sizeof(buf)), 9);
        /* too big for the buffer */
        cr_assert_eq(dbc_read_file_at(AT_FDCWD, path, buf, 5), -EFBIG);
        close(fd);
        unlink(path);
        cr_assert_eq(dbc_read_file_at(AT_FDCWD, path, buf, sizeof(buf)), -ENOENT);
}

Test(memstat, find_one_key) {
        static const char text[] = "anon 4096\nxdmabuf 7\ndmabuf_x 9\ndmabuf 2097152\nfile 8\n";
        uint64_t v = 0;

        cr_assert_eq(dbc_memstat_find(text, strlen(text), "dmabuf", &v), 0);
        cr_assert_eq(v, 2097152);
        cr_assert_eq(dbc_memstat_find(text, strlen(text), "anon", &v), 0);
        cr_assert_eq(v, 4096);
        cr_assert_eq(dbc_memstat_find(text, strlen(text), "file", &v), 0);
        cr_assert_eq(v, 8);
        cr_assert_eq(dbc_memstat_find(text, strlen(text), "kernel", &v), -ENOENT);
        cr_assert_eq(dbc_memstat_find("dmabuf x\n", 9, "dmabuf", &v), -EINVAL);
        cr_assert_eq(dbc_memstat_find("dmabuf \n", 8, "dmabuf", &v), -EINVAL);
        cr_assert_eq(dbc_memstat_find("dmabuf 99999999999999999999\n", 28, "dmabuf", &v), -EINVAL);
        cr_assert_eq(dbc_memstat_find("dmabuf 5", 8, "dmabuf", &v), 0, "no final newline");
        cr_assert_eq(v, 5);
        cr_assert_eq(dbc_memstat_find("", 0, "dmabuf", &v), -ENOENT);
}
