/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "dmabufctl/macro.h"
#include "dmabufctl/memstat.h"
#include "dmabufctl/size.h"

/* Both files are "key value\n" lines. Calls fn for each; a line that is not
 * of that shape, or a value that is no 64-bit decimal, is -EINVAL. */
static int parse_kv(const char *buf, size_t len,
                    void (*fn)(const char *key, size_t keylen, uint64_t v, void *userdata),
                    void *userdata) {
        const char *p = buf, *end = buf + len;

        while (p < end) {
                const char *nl = memchr(p, '\n', (size_t) (end - p));
                const char *eol = nl ? nl : end;
                const char *sp = memchr(p, ' ', (size_t) (eol - p));
                uint64_t v;

                if (eol == p) {         /* tolerate a blank line */
                        p = eol + 1;
                        continue;
                }
                if (!sp || sp == p || dbc_parse_u64_range(sp + 1, eol, &v) < 0)
                        return -EINVAL;
                fn(p, (size_t) (sp - p), v, userdata);
                p = eol + 1;
        }
        return 0;
}

#define KEY_IS(key, len, lit) ((len) == sizeof(lit) - 1 && memcmp((key), (lit), (len)) == 0)

static void memstat_kv(const char *key, size_t len, uint64_t v, void *userdata) {
        struct dbc_memstat *m = userdata;

        if (KEY_IS(key, len, "anon"))
                m->anon = v;
        else if (KEY_IS(key, len, "file"))
                m->file = v;
        else if (KEY_IS(key, len, "kernel"))
                m->kernel = v;
        else if (KEY_IS(key, len, "dmabuf")) {
                m->dmabuf = v;
                m->has_dmabuf = true;
        }
}

int dbc_memstat_parse(const char *buf, size_t len, struct dbc_memstat *ret) {
        struct dbc_memstat m = {};
        int r;

        r = parse_kv(buf, len, memstat_kv, &m);
        if (r < 0)
                return r;
        *ret = m;
        return 0;
}

int dbc_memstat_find(const char *buf, size_t len, const char *key, uint64_t *ret) {
        size_t kl = strlen(key);
        const char *p = buf, *end = buf + len;

        while (p < end) {
                const char *hit = memmem(p, (size_t) (end - p), key, kl);
                const char *eol;

                if (!hit)
                        return -ENOENT;
                p = hit + kl;
                /* A whole key at the start of a line, then one space. */
                if ((hit != buf && hit[-1] != '\n') || p >= end || *p != ' ')
                        continue;
                eol = memchr(p, '\n', (size_t) (end - p));
                return dbc_parse_u64_range(p + 1, eol ? eol : end, ret) < 0 ? -EINVAL : 0;
        }
        return -ENOENT;
}

static void memevents_kv(const char *key, size_t len, uint64_t v, void *userdata) {
        struct dbc_memevents *e = userdata;

        if (KEY_IS(key, len, "low"))
                e->low = v;
        else if (KEY_IS(key, len, "high"))
                e->high = v;
        else if (KEY_IS(key, len, "max"))
                e->max = v;
        else if (KEY_IS(key, len, "oom"))
                e->oom = v;
        else if (KEY_IS(key, len, "oom_kill"))
                e->oom_kill = v;
        else if (KEY_IS(key, len, "oom_group_kill"))
                e->oom_group_kill = v;
}

int dbc_memevents_parse(const char *buf, size_t len, struct dbc_memevents *ret) {
        struct dbc_memevents e = {};
        int r;

        r = parse_kv(buf, len, memevents_kv, &e);
        if (r < 0)
                return r;
        *ret = e;
        return 0;
}

int dbc_read_file_at(int dirfd, const char *path, char *buf, size_t size) {
        _cleanup_close_ int fd = -1;
        size_t n = 0;

        if (size == 0)
                return -EINVAL;
        if (path) {
                fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
                if (fd < 0)
                        return -errno;
        }
        int rfd = path ? fd : dirfd;

        for (;;) {
                ssize_t k = pread(rfd, buf + n, size - 1 - n, (off_t) n);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (k == 0)
                        break;
                n += (size_t) k;
                if (n == size - 1) {
                        char probe;
                        /* full: fine if that was all of it */
                        k = pread(rfd, &probe, 1, (off_t) n);
                        if (k == 0)
                                break;
                        return k < 0 ? -errno : -EFBIG;
                }
        }
        buf[n] = '\0';
        return (int) n;
}

int dbc_write_file_atomic(const char *path, const char *tmp, const char *text, size_t len, mode_t mode) {
        _cleanup_close_ int fd = -1;
        int k;

        fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
        if (fd < 0)
                return -errno;
        if (write(fd, text, len) != (ssize_t) len || fsync(fd) < 0) {
                k = errno ? -errno : -EIO;
                unlink(tmp);
                return k;
        }
        if (rename(tmp, path) < 0) {
                k = -errno;
                unlink(tmp);
                return k;
        }
        return 0;
}
