/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "dmabufctl/macro.h"
#include "dmabufctl/memstat.h"
#include "dmabufctl/protect.h"
#include "dmabufctl/target.h"

#define STAT_BUF 16384

int dbc_cgroup_read_dmabuf(int dirfd, uint64_t *ret) {
        _cleanup_free_ char *buf = malloc(STAT_BUF);
        struct dbc_memstat m;
        int k;

        if (!buf)
                return -ENOMEM;
        k = dbc_read_file_at(dirfd, "memory.stat", buf, STAT_BUF);
        if (k < 0)
                return k;
        k = dbc_memstat_parse(buf, (size_t) k, &m);
        if (k < 0)
                return k;
        *ret = m.dmabuf;
        return 0;
}

int dbc_cgroup_has_procs(int dirfd) {
        char buf[64];
        int k;

        /* Only whether it is empty matters: a short read is enough. */
        k = dbc_read_file_at(dirfd, "cgroup.procs", buf, sizeof(buf));
        if (k == -EFBIG)
                return 1;
        if (k < 0)
                return k;
        for (int i = 0; i < k; i++)
                if (buf[i] >= '0' && buf[i] <= '9')
                        return 1;
        return 0;
}

int dbc_cgroup_populated(int dirfd) {
        char buf[256];
        int k;

        k = dbc_read_file_at(dirfd, "cgroup.events", buf, sizeof(buf));
        if (k < 0)
                return k;
        for (char *p = buf, *line; (line = strsep(&p, "\n"));)
                if (strneq(line, "populated ", 10))
                        return line[10] != '0';
        return -EINVAL;
}

void dbc_target_done(struct dbc_target *t) {
        free(t->path);
        t->path = NULL;
        if (t->fd >= 0)
                close(t->fd);
        t->fd = -1;
}

static char *path_join(const char *parent, const char *name) {
        char *s;

        if (asprintf(&s, "%s/%s", streq(parent, "/") ? "" : parent, name) < 0)
                return NULL;
        return s;
}

struct child {
        char *path;
        int fd;
        uint64_t dmabuf;
        bool populated;
};

static void child_done(struct child *c) {
        free(c->path);
        if (c->fd >= 0)
                close(c->fd);
        *c = (struct child) { .fd = -1 };
}

/* Among the children of cur (open at dirfd): the one holding the most
 * dmabuf (best->path NULL when none holds any) and whether it is
 * populated, and the sum over all children. */
static int busiest_child(int dirfd, const char *cur, struct child *best, uint64_t *ret_sum) {
        uint64_t sum = 0;
        char **names = NULL;
        size_t n = 0;
        int k;

        *best = (struct child) { .fd = -1 };
        k = dbc_cgroup_children(dirfd, &names, &n);
        if (k < 0)
                return k;
        for (size_t i = 0; i < n; i++) {
                _cleanup_close_ int cfd = -1;
                uint64_t v = 0;

                cfd = openat(dirfd, names[i], O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
                if (cfd < 0)
                        continue;       /* removed meanwhile */
                k = dbc_cgroup_read_dmabuf(cfd, &v);
                if (k == -ENOENT)
                        v = 0;          /* no memory controller below here */
                else if (k < 0)
                        goto out;
                sum += v;
                if (v == 0 || (best->path && v <= best->dmabuf))
                        continue;
                char *p = path_join(cur, names[i]);
                if (!p) {
                        k = -ENOMEM;
                        goto out;
                }
                child_done(best);
                *best = (struct child) { .path = p, .fd = TAKE_FD(cfd), .dmabuf = v };
        }
        if (best->path) {
                k = dbc_cgroup_populated(best->fd);
                if (k < 0 && k != -ENOENT)
                        goto out;
                best->populated = k > 0;
        }
        *ret_sum = sum;
        k = 0;
out:
        if (k < 0)
                child_done(best);
        dbc_strv_free(names, n);
        return k;
}

int dbc_target_find(struct dbc_root *r, const struct dbc_never_act *na, const char *policed, uint64_t expect_id,
                    struct dbc_target *ret) {
        _cleanup_free_ char *cur = NULL;
        _cleanup_close_ int fd = -1;
        const char *why;
        uint64_t id;
        int k;

        cur = strdup(policed);
        if (!cur)
                return -ENOMEM;
        fd = dbc_cgroup_open(r, cur);
        if (fd < 0)
                return fd;
        if (expect_id) {
                k = dbc_cgroup_id(fd, &id);
                if (k < 0)
                        return k;
                if (id != expect_id)
                        return -ESTALE;
        }
        why = dbc_never_act_reason(na, fd, cur);
        if (!why)
                why = dbc_never_act_below_held(na, r, cur);
        if (why) {
                *ret = (struct dbc_target) { .verdict = DBC_TARGET_PROTECTED, .where = DBC_TARGET_AT_POLICED,
                                             .path = TAKE_PTR(cur), .fd = -1, .reason = why };
                return 0;
        }

        for (;;) {
                struct child best;
                uint64_t children_v, own;
                int procs;

                k = dbc_cgroup_read_dmabuf(fd, &own);
                if (k < 0 && k != -ENOENT)
                        return k;
                if (k == -ENOENT)
                        own = 0;        /* no memory controller here */
                k = busiest_child(fd, cur, &best, &children_v);
                if (k < 0)
                        return k;
                procs = dbc_cgroup_has_procs(fd);
                if (procs < 0) {
                        child_done(&best);
                        return procs;
                }
                /* memory.stat is hierarchical: own processes hold what the
                 * children do not. */
                own = own > children_v ? own - children_v : 0;
                if (procs && (!best.path || best.dmabuf <= own)) {
                        child_done(&best);
                        break;          /* its own processes are the offenders */
                }
                /* The busiest child or nobody: never a smaller sibling, nor a
                 * child holding less than what sits on this cgroup itself
                 * (charges of clients gone, reparented here). */
                if (!best.path || !best.populated || (!procs && own > best.dmabuf)) {
                        child_done(&best);
                        *ret = (struct dbc_target) { .verdict = DBC_TARGET_NO_HOLDER, .path = TAKE_PTR(cur), .fd = -1 };
                        return 0;
                }
                why = dbc_never_act_reason(na, best.fd, best.path);
                if (why) {
                        close(best.fd);
                        *ret = (struct dbc_target) { .verdict = DBC_TARGET_PROTECTED, .where = DBC_TARGET_AT_BUSIEST,
                                                     .path = best.path, .fd = -1, .reason = why };
                        return 0;
                }
                free(cur);
                cur = best.path;
                close(fd);
                fd = best.fd;
        }

        /* Acting on cur acts on everything below it. */
        _cleanup_free_ char *bad = NULL;
        k = dbc_never_act_subtree(na, r, fd, cur, &bad, &why);
        if (k < 0)
                return k;
        if (k > 0) {
                *ret = (struct dbc_target) { .verdict = DBC_TARGET_PROTECTED, .where = DBC_TARGET_AT_SUBTREE,
                                             .path = TAKE_PTR(bad), .fd = -1, .reason = why };
                return 0;
        }
        k = dbc_cgroup_id(fd, &id);
        if (k < 0)
                return k;
        *ret = (struct dbc_target) { .verdict = DBC_TARGET_ACT, .path = TAKE_PTR(cur), .fd = TAKE_FD(fd), .id = id };
        return 0;
}
