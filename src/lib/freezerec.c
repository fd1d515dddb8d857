/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dmabufctl/freezerec.h"
#include "dmabufctl/macro.h"
#include "dmabufctl/memstat.h"
#include "dmabufctl/size.h"

const char *dbc_freeze_state_dir(void) {
        const char *e = getenv("DMABUFD_STATE_DIR");

        return e && *e ? e : DBC_FREEZE_STATE_DIR;
}

void dbc_freeze_records_free(struct dbc_freeze_record *r, size_t n) {
        for (size_t i = 0; r && i < n; i++) {
                free(r[i].path);
                free(r[i].policy);
        }
        free(r);
}

/* A cgroup below the root: "/a/b", no empty, "." or ".." component (a
 * forged record must not lead a thaw anywhere else; the open refuses
 * symlinks and escapes as well). */
static bool path_is_cgroup(const char *p) {
        if (streq(p, "/"))
                return false;
        while (*p) {
                size_t n;

                if (*p++ != '/')
                        return false;
                n = strcspn(p, "/");
                if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
                        return false;
                p += n;
        }
        return true;
}

/* The records' directory is the daemon's own: a real directory (not a
 * symlink), owned by the daemon's user and writable by nobody else, so no
 * one else can plant a record that makes it thaw or write anything.
 * Creates it (0700) when missing. */
static int state_dir_open(const char *dir, bool create) {
        _cleanup_close_ int fd = -1;
        struct stat st;

        if (create && mkdir(dir, 0700) < 0 && errno != EEXIST)
                return -errno;
        fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (st.st_uid != geteuid() || (st.st_mode & (S_IWGRP | S_IWOTH)))
                return -EPERM;
        return TAKE_FD(fd);
}

int dbc_freeze_record_write(const char *dir, const struct dbc_freeze_record *r) {
        _cleanup_free_ char *path = NULL, *tmp = NULL, *text = NULL;
        int len;

        _cleanup_close_ int dfd = state_dir_open(dir, true);

        if (dfd < 0)
                return dfd;
        if (asprintf(&path, "%s/%" PRIu64, dir, r->id) < 0 || asprintf(&tmp, "%s/.%" PRIu64 ".tmp", dir, r->id) < 0)
                return -ENOMEM;
        /* path last: a cgroup name may hold a newline; it runs to the end. */
        len = asprintf(&text, "id=%" PRIu64 "\npolicy=%s\npid=%d\nstart=%" PRIu64 "\npath=%s\n", r->id, r->policy,
                       (int) r->pid, r->start, r->path);
        if (len < 0)
                return -ENOMEM;
        return dbc_write_file_atomic(path, tmp, text, (size_t) len, 0600);
}

int dbc_freeze_record_remove(const char *dir, uint64_t id) {
        _cleanup_free_ char *path = NULL;

        if (asprintf(&path, "%s/%" PRIu64, dir, id) < 0)
                return -ENOMEM;
        if (unlink(path) < 0 && errno != ENOENT)
                return -errno;
        return 0;
}

static int parse_record(char *buf, struct dbc_freeze_record *ret) {
        struct dbc_freeze_record r = {};
        bool id = false, pid = false, start = false;
        uint64_t v;

        for (char *line = buf, *next; line && *line; line = next) {
                if (strneq(line, "path=", 5)) {
                        size_t n = strlen(line + 5);
                        if (n == 0 || line[5] != '/' || line[5 + n - 1] != '\n')
                                goto bad;
                        r.path = strndup(line + 5, n - 1);
                        if (!r.path)
                                goto oom;
                        if (!path_is_cgroup(r.path))
                                goto bad;
                        break;
                }
                next = strchr(line, '\n');
                if (!next)
                        goto bad;
                *next++ = '\0';
                if (strneq(line, "policy=", 7)) {
                        free(r.policy);
                        r.policy = strdup(line + 7);
                        if (!r.policy)
                                goto oom;
                } else if (strneq(line, "id=", 3) && dbc_parse_u64(line + 3, &r.id) == 0 && r.id > 0)
                        id = true;
                else if (strneq(line, "pid=", 4) && dbc_parse_u64(line + 4, &v) == 0 && v > 0 && v <= INT32_MAX) {
                        r.pid = (pid_t) v;
                        pid = true;
                } else if (strneq(line, "start=", 6) && dbc_parse_u64(line + 6, &r.start) == 0)
                        start = true;
                else
                        goto bad;
        }
        if (!id || !pid || !start || !r.path || !r.policy)
                goto bad;
        *ret = r;
        return 0;
bad:
        free(r.path);
        free(r.policy);
        return -EINVAL;
oom:
        free(r.path);
        free(r.policy);
        return -ENOMEM;
}

static int cmp_record(const void *a, const void *b) {
        const struct dbc_freeze_record *x = a, *y = b;
        return x->id < y->id ? -1 : x->id > y->id;
}

int dbc_freeze_records_read(const char *dir, struct dbc_freeze_record **ret, size_t *ret_n, size_t *ret_bad) {
        _cleanup_closedir_ DIR *d = NULL;
        struct dbc_freeze_record *l = NULL;
        size_t n = 0, cap = 0, bad = 0;
        struct dirent *de;
        int k = 0;

        k = state_dir_open(dir, false);
        if (k == -ENOENT)
                k = 0;
        else if (k < 0)
                return k;
        else {
                d = fdopendir(k);
                if (!d) {
                        int e = -errno;
                        close(k);
                        return e;
                }
                k = 0;
        }
        while (d && (errno = 0, de = readdir(d))) {
                char buf[8192];

                if (de->d_name[0] == '.' || strspn(de->d_name, "0123456789") != strlen(de->d_name))
                        continue;
                k = dbc_read_file_at(dirfd(d), de->d_name, buf, sizeof(buf));
                if (k == -ENOENT)
                        continue;
                if (k >= 0) {
                        if (n == cap) {
                                size_t c = cap ? cap * 2 : 8;
                                struct dbc_freeze_record *m = realloc(l, c * sizeof(*m));
                                if (!m) {
                                        k = -ENOMEM;
                                        break;
                                }
                                l = m;
                                cap = c;
                        }
                        k = parse_record(buf, &l[n]);
                }
                if (k == -ENOMEM)
                        break;
                if (k < 0) {
                        bad++;
                        continue;
                }
                n++;
        }
        if (k == -ENOMEM || (d && errno)) {
                k = k == -ENOMEM ? k : -errno;
                dbc_freeze_records_free(l, n);
                return k;
        }
        if (n > 1)
                qsort(l, n, sizeof(*l), cmp_record);
        *ret = l;
        *ret_n = n;
        if (ret_bad)
                *ret_bad = bad;
        return 0;
}
