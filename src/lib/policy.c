/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fnmatch.h>
#include <stdint.h>
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

static bool matches(const struct dbc_policy *p, const char *path) {
        if (p->cgroup)
                return fnmatch(p->cgroup, path, GLOB_FLAGS) == 0;
        return p->resolved && streq(p->resolved, path);
}

/* The literal prefix of a glob: the part before its first wildcard
 * (FNM_NOESCAPE: a backslash escapes nothing). SIZE_MAX: no wildcard, a
 * literal path (and a unit, which names one cgroup). */
static size_t literal_prefix(const struct dbc_policy *p) {
        size_t n;

        if (!p->cgroup)
                return SIZE_MAX;
        n = strcspn(p->cgroup, "*?[");
        return p->cgroup[n] ? n : SIZE_MAX;
}

int dbc_policy_precedence(const struct dbc_policy *a, const struct dbc_policy *b, enum dbc_precedence *ret_why) {
        size_t la = literal_prefix(a), lb = literal_prefix(b);
        enum dbc_precedence why;
        int k;

        if ((la == SIZE_MAX) != (lb == SIZE_MAX)) {
                why = DBC_PRECEDENCE_LITERAL;
                k = la == SIZE_MAX ? -1 : 1;
        } else if (la != lb) {
                why = DBC_PRECEDENCE_PREFIX;
                k = la > lb ? -1 : 1;
        } else {
                /* c->policies is in the order sections were first read
                 * (file order, then section order). */
                why = DBC_PRECEDENCE_ORDER;
                k = a < b ? -1 : a > b ? 1 : 0;
        }
        if (ret_why)
                *ret_why = why;
        return k;
}

const char *dbc_precedence_to_string(enum dbc_precedence w) {
        static const char *const names[] = {
                [DBC_PRECEDENCE_LITERAL] = "a path or unit beats a glob",
                [DBC_PRECEDENCE_PREFIX]  = "the longer literal prefix wins",
                [DBC_PRECEDENCE_ORDER]   = "the policy read first wins",
        };

        if ((size_t) w >= ELEMENTSOF(names))
                return NULL;
        return names[w];
}

const struct dbc_policy *dbc_policy_match(const struct dbc_config *c, const char *path) {
        const struct dbc_policy *best = NULL;

        if (!c || !path)
                return NULL;
        for (size_t i = 0; i < c->n_policies; i++) {
                const struct dbc_policy *p = &c->policies[i];

                if (matches(p, path) && (!best || dbc_policy_precedence(p, best, NULL) < 0))
                        best = p;
        }
        return best;
}

/* Does pattern (a cgroup path or glob) match path, or could it match a
 * cgroup below path? Component by component. */
static bool may_match_below(const char *pattern, const char *path) {
        const char *pp = pattern, *cp = path;

        for (;;) {
                size_t pn, cn;
                char pc[256], cc[256];

                pp += strspn(pp, "/");
                cp += strspn(cp, "/");
                if (!*cp)
                        return true;            /* path ran out first: below it, perhaps */
                if (!*pp)
                        return false;           /* path is deeper than the pattern */
                pn = strcspn(pp, "/");
                cn = strcspn(cp, "/");
                if (pn >= sizeof(pc) || cn >= sizeof(cc))
                        return true;            /* too long to check: watch rather than miss */
                memcpy(pc, pp, pn);
                pc[pn] = '\0';
                memcpy(cc, cp, cn);
                cc[cn] = '\0';
                if (fnmatch(pc, cc, GLOB_FLAGS) != 0)
                        return false;
                pp += pn;
                cp += cn;
        }
}

bool dbc_config_may_match_below(const struct dbc_config *c, const char *path) {
        if (!c || !path)
                return false;
        for (size_t i = 0; i < c->n_policies; i++) {
                const struct dbc_policy *p = &c->policies[i];
                const char *pattern = p->cgroup ? p->cgroup : p->resolved;

                if (!pattern)
                        return true;    /* an unresolved unit: anywhere */
                if (may_match_below(pattern, path))
                        return true;
        }
        return false;
}

const struct dbc_policy *dbc_policy_match_next(const struct dbc_config *c, const char *path,
                                               const struct dbc_policy *after) {
        size_t start = 0;

        if (!c || !path)
                return NULL;
        if (after) {
                if (after < c->policies || after >= c->policies + c->n_policies)
                        return NULL;
                start = (size_t) (after - c->policies) + 1;
        }
        for (size_t i = start; i < c->n_policies; i++)
                if (matches(&c->policies[i], path))
                        return &c->policies[i];
        return NULL;
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
