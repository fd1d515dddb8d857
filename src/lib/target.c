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

static char *path_join(const char *parent, const char *name) {
        char *s;

        if (asprintf(&s, "%s/%s", streq(parent, "/") ? "" : parent, name) < 0)
                return NULL;
        return s;
}

/* Among the children of cur (open at dirfd): the busiest one not on the
 * never-act list (*ret NULL when none) and the sum over all children. */
static int busiest_child(int dirfd, const struct dbc_config *c, const char *self, const char *cur,
                         char **ret, uint64_t *ret_dmabuf, uint64_t *ret_sum) {
        _cleanup_free_ char *best = NULL;
        uint64_t best_v = 0, sum = 0;
        char **names = NULL;
        size_t n = 0;
        int k;

        k = dbc_cgroup_children(dirfd, &names, &n);
        if (k < 0)
                return k;
        for (size_t i = 0; i < n; i++) {
                _cleanup_close_ int cfd = -1;
                _cleanup_free_ char *p = NULL;
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
                p = path_join(cur, names[i]);
                if (!p) {
                        k = -ENOMEM;
                        goto out;
                }
                if (dbc_never_act_reason(c, self, p))
                        continue;
                if (!best || v > best_v) {
                        free(best);
                        best = TAKE_PTR(p);
                        best_v = v;
                }
        }
        *ret = TAKE_PTR(best);
        *ret_dmabuf = best_v;
        *ret_sum = sum;
        k = 0;
out:
        dbc_strv_free(names, n);
        return k;
}

int dbc_target_find(struct dbc_root *r, const struct dbc_config *c, const char *self,
                    const char *policed, char **ret, const char **ret_reason) {
        _cleanup_free_ char *cur = NULL;
        const char *why;
        int k;

        cur = strdup(policed);
        if (!cur)
                return -ENOMEM;
        why = dbc_never_act_reason(c, self, cur);
        if (why) {
                *ret = TAKE_PTR(cur);
                *ret_reason = why;
                return 1;
        }

        for (;;) {
                _cleanup_close_ int fd = -1;
                _cleanup_free_ char *best = NULL;
                uint64_t best_v, children_v, own;
                int procs;

                fd = dbc_cgroup_open(r, cur);
                if (fd < 0)
                        return fd;
                k = dbc_cgroup_read_dmabuf(fd, &own);
                if (k < 0 && k != -ENOENT)
                        return k;
                if (k == -ENOENT)
                        own = 0;        /* no memory controller here */
                k = busiest_child(fd, c, self, cur, &best, &best_v, &children_v);
                if (k < 0)
                        return k;
                procs = dbc_cgroup_has_procs(fd);
                if (procs < 0)
                        return procs;
                /* memory.stat is hierarchical: own processes hold what the
                 * children do not. */
                own = own > children_v ? own - children_v : 0;
                if (!best || (procs && best_v <= own))
                        break;
                free(cur);
                cur = TAKE_PTR(best);
        }

        /* Acting on cur acts on everything below it. */
        _cleanup_free_ char *bad = NULL;
        k = dbc_subtree_never_act(r, c, self, cur, &bad, &why);
        if (k < 0)
                return k;
        if (k > 0) {
                *ret = TAKE_PTR(bad);
                *ret_reason = why;
                return 1;
        }
        *ret = TAKE_PTR(cur);
        return 0;
}
