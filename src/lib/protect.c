/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "dmabufctl/macro.h"
#include "dmabufctl/memstat.h"
#include "dmabufctl/policy.h"
#include "dmabufctl/protect.h"

int dbc_self_cgroup(const char *proc_root, char **ret) {
        _cleanup_free_ char *file = NULL;
        char buf[4096];
        int k;

        if (asprintf(&file, "%s/self/cgroup", proc_root ? proc_root : "/proc") < 0)
                return -ENOMEM;
        k = dbc_read_file_at(AT_FDCWD, file, buf, sizeof(buf));
        if (k < 0)
                return k;
        /* One line per hierarchy; cgroup2's is "0::/path". */
        for (char *line = buf, *next; line && *line; line = next) {
                next = strchr(line, '\n');
                if (next)
                        *next++ = '\0';
                if (!strneq(line, "0::", 3))
                        continue;
                if (line[3] != '/')
                        return -EINVAL;
                return dbc_cgroup_path_normalize(line + 3, ret);
        }
        return -ENOENT;
}

/* Is a equal to b, or an ancestor of it? Both normalised. */
static bool path_covers(const char *a, const char *b) {
        size_t n = strlen(a);

        if (streq(a, "/"))
                return true;
        return strneq(a, b, n) && (b[n] == '\0' || b[n] == '/');
}

static const char *last_component(const char *path) {
        const char *s = strrchr(path, '/');
        return s ? s + 1 : path;
}

const char *dbc_never_act_reason(const struct dbc_config *c, const char *self, const char *path) {
        if (streq(path, "/"))
                return "root cgroup";
        /* systemd's /init.scope, and a container's own init.scope below it. */
        if (streq(last_component(path), "init.scope"))
                return "init.scope";
        /* Its own cgroup and below; an ancestor is refused as a target by
         * dbc_subtree_never_act(), but may be descended through. */
        if (self && path_covers(self, path))
                return "own cgroup";
        /* dbc_config_is_protected() covers what is below a glob too. */
        if (dbc_config_is_protected(c, path))
                return "protect list";
        return NULL;
}

struct subtree {
        const struct dbc_config *config;
        const char *self;
        char *path;
        const char *reason;
};

static int subtree_one(struct dbc_root *r, const char *path, int dirfd, void *userdata) {
        struct subtree *s = userdata;
        const char *why = dbc_never_act_reason(s->config, s->self, path);

        if (!why)
                return 0;
        s->path = strdup(path);
        if (!s->path)
                return -ENOMEM;
        s->reason = why;
        return -ECANCELED;
}

int dbc_subtree_never_act(struct dbc_root *r, const struct dbc_config *c, const char *self,
                          const char *path, char **ret_path, const char **ret_reason) {
        struct subtree s = { .config = c, .self = self };
        int k;

        if (self && path_covers(path, self)) {
                char *p = strdup(self);
                if (!p)
                        return -ENOMEM;
                *ret_path = p;
                *ret_reason = "own cgroup";
                return 1;
        }

        k = dbc_cgroup_walk(r, path, subtree_one, &s);
        if (k == -ECANCELED) {
                *ret_path = s.path;
                *ret_reason = s.reason;
                return 1;
        }
        return k;
}
