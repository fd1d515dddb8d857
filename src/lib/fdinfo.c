/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <string.h>

#include "dmabufctl/fdinfo.h"
#include "dmabufctl/macro.h"
#include "dmabufctl/size.h"

#define KEY_IS(key, len, lit) ((len) == sizeof(lit) - 1 && memcmp((key), (lit), (len)) == 0)

static void copy_name(char dst[static DBC_DMABUF_NAME_MAX], const char *p, const char *end) {
        size_t n = (size_t) (end - p);

        if (n >= DBC_DMABUF_NAME_MAX)
                n = DBC_DMABUF_NAME_MAX - 1;
        memcpy(dst, p, n);
        dst[n] = '\0';
        /* A NUL inside the value would silently cut it; it cannot come from
         * the kernel, keep the result a plain C string anyway. */
}

int dbc_fdinfo_parse(const char *buf, size_t len, struct dbc_fdinfo *ret) {
        struct dbc_fdinfo fi = {};
        const char *p = buf, *end = buf + len;
        bool is_dmabuf = false, has_size = false, has_count = false;
        int bad = 0;

        while (p < end) {
                const char *nl = memchr(p, '\n', (size_t) (end - p));
                const char *eol = nl ? nl : end;
                const char *colon = memchr(p, ':', (size_t) (eol - p));
                const char *key = p, *v;
                size_t klen;

                p = eol + 1;
                if (!colon)
                        continue;
                klen = (size_t) (colon - key);
                v = colon + 1;
                while (v < eol && (*v == '\t' || *v == ' '))
                        v++;

                /* The first occurrence of a key is the kernel's: a later
                 * one can only come from a value that spans lines. */
                if (KEY_IS(key, klen, "exp_name")) {
                        if (!is_dmabuf)
                                copy_name(fi.exp_name, v, eol);
                        is_dmabuf = true;
                } else if (KEY_IS(key, klen, "name")) {
                        /* The name is set by whoever holds the buffer
                         * (DMA_BUF_SET_NAME) and may hold newlines; the
                         * kernel prints it last of the dma-buf keys (and
                         * charged_cgroup_id before it), so nothing after it
                         * is believed. */
                        copy_name(fi.name, v, eol);
                        break;
                } else if (KEY_IS(key, klen, "size")) {
                        if (!has_size && dbc_parse_u64_range(v, eol, &fi.size) < 0)
                                bad = -EINVAL;
                        has_size = true;
                } else if (KEY_IS(key, klen, "count")) {
                        if (!has_count && dbc_parse_u64_range(v, eol, &fi.count) < 0)
                                bad = -EINVAL;
                        has_count = true;
                } else if (KEY_IS(key, klen, "ino")) {
                        if (!fi.has_ino && dbc_parse_u64_range(v, eol, &fi.ino) < 0)
                                bad = -EINVAL;
                        fi.has_ino = true;
                } else if (KEY_IS(key, klen, "charged_cgroup_id")) {
                        if (!fi.has_charged_cgroup_id &&
                            dbc_parse_u64_range(v, eol, &fi.charged_cgroup_id) < 0)
                                bad = -EINVAL;
                        fi.has_charged_cgroup_id = true;
                }
        }

        /* Another kind of file may well have keys of these names with other
         * shapes (drm fdinfo, eventfd, ...): only judge a dma-buf. */
        if (!is_dmabuf)
                return 0;
        if (bad < 0 || !has_size)
                return -EINVAL;
        *ret = fi;
        return 1;
}
