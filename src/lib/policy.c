/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fnmatch.h>
#include <string.h>

#include "dmabufctl/macro.h"
#include "dmabufctl/policy.h"
#include "dmabufctl/size.h"

const char *dbc_state_to_string(enum dbc_state s) {
        static const char *const names[] = {
                [DBC_STATE_OK]   = "ok",
                [DBC_STATE_WARN] = "warn",
                [DBC_STATE_OVER] = "over",
        };

        if ((size_t) s >= ELEMENTSOF(names))
                return NULL;
        return names[s];
}

/* Globs match whole path components ('*' stops at '/'), and a backslash is
 * a character: systemd escapes '-' in unit names as "\x2d". */
#define GLOB_FLAGS (FNM_PATHNAME | FNM_NOESCAPE)

static const struct dbc_policy *match_from(const struct dbc_config *c, const char *path, size_t start) {
        if (!c || !path)
                return NULL;
        for (size_t i = start; i < c->n_policies; i++) {
                const struct dbc_policy *p = &c->policies[i];

                if (p->cgroup) {
                        if (fnmatch(p->cgroup, path, GLOB_FLAGS) == 0)
                                return p;
                } else if (p->resolved && streq(p->resolved, path))
                        return p;
        }
        return NULL;
}

const struct dbc_policy *dbc_policy_match(const struct dbc_config *c, const char *path) {
        return match_from(c, path, 0);
}

const struct dbc_policy *dbc_policy_match_next(const struct dbc_config *c, const char *path,
                                               const struct dbc_policy *after) {
        if (!c || !after || after < c->policies || after >= c->policies + c->n_policies)
                return NULL;
        return match_from(c, path, (size_t) (after - c->policies) + 1);
}

enum dbc_state dbc_policy_evaluate(const struct dbc_policy *p, const struct dbc_sample *s) {
        bool has_dmabuf = s->has_stat && s->stat.has_dmabuf;

        if (!p)
                return DBC_STATE_OK;
        if (has_dmabuf && (p->set & DBC_POLICY_DMABUF_MAX) && s->stat.dmabuf > p->dmabuf_max)
                return DBC_STATE_OVER;
        if (has_dmabuf && (p->set & DBC_POLICY_DMABUF_WARN) && s->stat.dmabuf > p->dmabuf_warn)
                return DBC_STATE_WARN;
        /* memory.high "max" reads as DBC_SIZE_MAX, which nothing exceeds. */
        if (s->has_current && s->memory_current > s->memory_high)
                return DBC_STATE_WARN;
        return DBC_STATE_OK;
}

/* A protect glob names a cgroup and everything below it: acting on a child
 * of a protected service would hurt the service just the same. */
bool dbc_config_is_protected(const struct dbc_config *c, const char *path) {
        _cleanup_free_ char *buf = NULL;

        if (!c || !path || c->n_protect == 0)
                return false;
        buf = strdup(path);
        if (!buf)       /* no memory: err on the side of protecting */
                return true;
        for (;;) {
                char *slash;

                for (size_t i = 0; i < c->n_protect; i++)
                        if (fnmatch(c->protect[i], buf, GLOB_FLAGS) == 0)
                                return true;
                slash = strrchr(buf, '/');
                if (!slash)
                        return false;
                if (slash == buf) {
                        if (buf[1] == '\0')
                                return false;
                        buf[1] = '\0';         /* last: the root itself */
                } else
                        *slash = '\0';
        }
}
