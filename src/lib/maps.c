/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <string.h>

#include "dmabufctl/maps.h"

static int hexval(char c) {
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -1;
}

/* Parse hex digits up to stop; *pp left on stop. */
static int parse_hex(const char **pp, const char *end, char stop, uint64_t *ret) {
        const char *p = *pp;
        uint64_t v = 0;

        if (p == end || *p == stop)
                return -EINVAL;
        for (; p < end && *p != stop; p++) {
                int d = hexval(*p);
                if (d < 0 || v >> 60)
                        return -EINVAL;
                v = (v << 4) | (uint64_t) d;
        }
        if (p == end)
                return -EINVAL;
        *pp = p;
        *ret = v;
        return 0;
}

/* Skip one field of non-blank characters followed by one blank. */
static int skip_field(const char **pp, const char *end) {
        const char *p = *pp;
        const char *sp = memchr(p, ' ', (size_t) (end - p));

        if (!sp || sp == p)
                return -EINVAL;
        *pp = sp + 1;
        return 0;
}

static int parse_line(const char *p, const char *eol, struct dbc_dmabuf_map *m, int *is_dmabuf) {
        uint64_t start, end, inode = 0;
        const char *ino_p, *ino_end;

        if (parse_hex(&p, eol, '-', &start) < 0)
                return -EINVAL;
        p++;
        if (parse_hex(&p, eol, ' ', &end) < 0 || end < start)
                return -EINVAL;
        p++;
        if (skip_field(&p, eol) < 0 ||          /* perms */
            skip_field(&p, eol) < 0 ||          /* offset */
            skip_field(&p, eol) < 0)            /* dev */
                return -EINVAL;
        ino_p = p;
        while (p < eol && *p >= '0' && *p <= '9')
                p++;
        if (p == ino_p || (p < eol && *p != ' '))
                return -EINVAL;
        ino_end = p;
        while (p < eol && *p == ' ')
                p++;
        if ((size_t) (eol - p) < 7 || memcmp(p, "/dmabuf", 7) != 0) {
                *is_dmabuf = 0;
                return 0;
        }
        for (const char *q = ino_p; q < ino_end; q++) {
                unsigned d = (unsigned) (*q - '0');
                if (inode > (UINT64_MAX - d) / 10)
                        return -EINVAL;
                inode = inode * 10 + d;
        }
        *m = (struct dbc_dmabuf_map) { .start = start, .end = end, .inode = inode };
        p += 7;
        if (p < eol && *p == ':') {
                m->name = p + 1;
                m->name_len = (size_t) (eol - p - 1);
        }
        *is_dmabuf = 1;
        return 0;
}

int dbc_maps_parse(const char *buf, size_t len, dbc_maps_fn fn, void *userdata) {
        const char *p = buf, *end = buf + len;

        while (p < end) {
                const char *nl = memchr(p, '\n', (size_t) (end - p));
                const char *eol = nl ? nl : end;
                struct dbc_dmabuf_map m;
                int is_dmabuf, r;

                if (eol > p) {
                        r = parse_line(p, eol, &m, &is_dmabuf);
                        if (r < 0)
                                return r;
                        if (is_dmabuf) {
                                r = fn(&m, userdata);
                                if (r < 0)
                                        return r;
                        }
                }
                p = eol + 1;
        }
        return 0;
}
