/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "dmabufctl/maps.h"

struct seen {
        struct dbc_dmabuf_map m[8];
        char names[8][64];
        size_t n;
};

static int collect(const struct dbc_dmabuf_map *m, void *userdata) {
        struct seen *s = userdata;

        if (s->n == 8)
                return -E2BIG;
        s->m[s->n] = *m;
        if (m->name)
                snprintf(s->names[s->n], sizeof(s->names[0]), "%.*s", (int) m->name_len, m->name);
        s->n++;
        return 0;
}

static int parse(const char *text, struct seen *s) {
        memset(s, 0, sizeof(*s));
        return dbc_maps_parse(text, strlen(text), collect, s);
}

Test(maps, real_lines) {
        struct seen s;

        cr_assert_eq(parse("55d0c8a00000-55d0c8a02000 r--p 00000000 fe:01 1835043                    /usr/bin/cat\n"
                           "7f3a1c000000-7f3a1c100000 rw-s 00000000 00:0f 4321                       /dmabuf:camera-frame\n"
                           "7f3a1d000000-7f3a1d004000 rw-s 00000000 00:0f 99                         /dmabuf:\n"
                           "7ffd2a3e0000-7ffd2a401000 rw-p 00000000 00:00 0                          [stack]\n"
                           "7ffd2a5f0000-7ffd2a5f2000 r-xp 00000000 00:00 0 \n"
                           "7f3a1e000000-7f3a1e002000 rw-s 00001000 00:0f 77 /dmabuf", &s), 0);
        cr_assert_eq(s.n, 3);
        cr_assert_eq(s.m[0].inode, 4321);
        cr_assert_eq(s.m[0].start, 0x7f3a1c000000ULL);
        cr_assert_eq(s.m[0].end - s.m[0].start, 1024 * 1024);
        cr_assert_str_eq(s.names[0], "camera-frame");
        cr_assert_eq(s.m[1].inode, 99);
        cr_assert_not_null(s.m[1].name);
        cr_assert_eq(s.m[1].name_len, 0);
        cr_assert_eq(s.m[2].inode, 77);
        cr_assert_null(s.m[2].name);
}

Test(maps, empty) {
        struct seen s;

        cr_assert_eq(parse("", &s), 0);
        cr_assert_eq(s.n, 0);
        cr_assert_eq(parse("\n\n", &s), 0);
}

Test(maps, malformed) {
        struct seen s;

        cr_assert_eq(parse("garbage\n", &s), -EINVAL);
        cr_assert_eq(parse("1000-2000 rw-s 0 00:0f\n", &s), -EINVAL);
        cr_assert_eq(parse("2000-1000 rw-s 00000000 00:0f 5 /dmabuf:x\n", &s), -EINVAL);
        cr_assert_eq(parse("1000-2g00 rw-s 00000000 00:0f 5 /dmabuf:x\n", &s), -EINVAL);
        cr_assert_eq(parse("1000-2000 rw-s 00000000 00:0f 5x /dmabuf:x\n", &s), -EINVAL);
        cr_assert_eq(parse("11112222333344445-11112222333344446 rw-s 0 00:0f 5 /dmabuf\n", &s), -EINVAL);
}

Test(maps, callback_error_stops) {
        struct seen s;
        char text[4096] = "";

        for (int i = 0; i < 9; i++)
                snprintf(text + strlen(text), sizeof(text) - strlen(text),
                         "%x000-%x000 rw-s 00000000 00:0f %d /dmabuf:b\n", i + 1, i + 2, i + 10);
        cr_assert_eq(parse(text, &s), -E2BIG);
        cr_assert_eq(s.n, 8);
}
