/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Planning and applying budget changes, with rollback. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dmabufctl/macro.h"
#include "dmabufctl/plan.h"
#include "dmabufctl/policy.h"
#include "dmabufctl/unitprop.h"

void dbc_plan_done(struct dbc_plan *p) {
        for (size_t i = 0; i < p->n; i++) {
                free(p->changes[i].target);
                free(p->changes[i].policy);
        }
        free(p->changes);
        *p = (struct dbc_plan) {};
}

/* The first failure's message is kept: the one that stopped the plan. */
static int keep_message(struct dbc_limit_ctx *c, int r, char *msg) {
        if (r < 0 && !c->error)
                c->error = msg;
        else
                free(msg);
        return r;
}

static int real_prepare(void *ctx, const char *target, bool unit, enum dbc_limit l, uint64_t *ret) {
        struct dbc_limit_ctx *c = ctx;
        char *msg = NULL;
        int r;

        if (!unit)
                return dbc_cgroup_limit_prepare(c->root, target, l, ret);
        if (!c->bus)
                return -EHOSTDOWN;
        r = dbc_unit_limit_read(c->bus, target, l, ret, &msg);
        return keep_message(c, r, msg);
}

static int real_write(void *ctx, const char *target, bool unit, enum dbc_limit l, uint64_t value,
                      uint64_t *ret_in_force) {
        struct dbc_limit_ctx *c = ctx;
        char *msg = NULL;
        int r;

        if (!unit)
                return dbc_cgroup_limit_write(c->root, target, l, value, ret_in_force);
        if (!c->bus)
                return -EHOSTDOWN;
        r = dbc_unit_limit_write(c->bus, target, l, value, c->runtime, ret_in_force, &msg);
        return keep_message(c, r, msg);
}

const struct dbc_limit_ops dbc_limit_ops_real = {
        .prepare = real_prepare,
        .write = real_write,
};

void dbc_limit_ctx_done(struct dbc_limit_ctx *c) {
        free(c->error);
        c->error = NULL;
}

uint64_t dbc_limit_floor(void) {
        long page = sysconf(_SC_PAGESIZE);

        return page > 0 ? (uint64_t) page : 4096;
}

int dbc_plan_add(struct dbc_plan *p, const struct dbc_limit_ops *ops, const char *target, bool unit,
                 const char *policy, enum dbc_limit l, uint64_t value) {
        _cleanup_free_ char *t = NULL, *pol = NULL;
        uint64_t old;
        int r;

        if (value < dbc_limit_floor())
                return -EDOM;
        r = ops->prepare(ops->ctx, target, unit, l, &old);
        if (r < 0)
                return r;
        if (old == value && !p->keep_unchanged)
                return 0;

        t = strdup(target);
        if (!t || (policy && !(pol = strdup(policy))))
                return -ENOMEM;
        if (p->n == p->cap) {
                size_t ncap = p->cap ? p->cap * 2 : 16;
                struct dbc_change *c = realloc(p->changes, ncap * sizeof(*c));
                if (!c)
                        return -ENOMEM;
                p->changes = c;
                p->cap = ncap;
        }
        p->changes[p->n++] = (struct dbc_change) {
                .target = TAKE_PTR(t),
                .unit = unit,
                .policy = TAKE_PTR(pol),
                .limit = l,
                .old = old,
                .new = value,
                .in_force = old,
                .state = old == value ? DBC_CHANGE_UNCHANGED : DBC_CHANGE_PLANNED,
        };
        return old != value;
}

struct plan_walk {
        struct dbc_plan *plan;
        const struct dbc_config *config;
        sd_bus *bus;
        const struct dbc_limit_ops *ops;
        struct dbc_plan_error *error;
};

static int plan_one(struct dbc_root *root, const char *path, int dirfd, void *userdata) {
        static const struct {
                unsigned bit;
                enum dbc_limit limit;
        } keys[] = {
                { DBC_POLICY_MEMORY_MAX,  DBC_LIMIT_MEMORY_MAX },
                { DBC_POLICY_MEMORY_HIGH, DBC_LIMIT_MEMORY_HIGH },
        };
        struct plan_walk *w = userdata;
        const struct dbc_policy *p = dbc_policy_match(w->config, path);
        bool unit;
        const char *target;

        if (!p)
                return 0;
        unit = p->unit && w->bus;
        target = unit ? p->unit : path;
        for (size_t i = 0; i < ELEMENTSOF(keys); i++) {
                bool max = keys[i].limit == DBC_LIMIT_MEMORY_MAX;
                size_t n = w->plan->n;
                uint64_t value;
                int r;

                if (!(p->set & keys[i].bit))
                        continue;
                value = dbc_policy_limit(p, keys[i].limit, w->plan->physical_memory);
                r = dbc_plan_add(w->plan, w->ops, target, unit, p->name, keys[i].limit, value);
                /* Say where a percentage came from. */
                if (w->plan->n > n && (p->set & (max ? DBC_POLICY_MEMORY_MAX_PERCENT : DBC_POLICY_MEMORY_HIGH_PERCENT))) {
                        struct dbc_change *c = &w->plan->changes[w->plan->n - 1];

                        c->percent = true;
                        c->permyriad = max ? p->memory_max_permyriad : p->memory_high_permyriad;
                }
                if (r < 0) {
                        char *t = strdup(target);

                        if (!t)
                                return -ENOMEM;
                        *w->error = (struct dbc_plan_error) { .target = t, .unit = unit, .limit = keys[i].limit,
                                                              .policy = p->name, .value = value };
                        return r;
                }
        }
        return 0;
}

int dbc_plan_config(struct dbc_plan *p, const struct dbc_config *c, struct dbc_root *root, sd_bus *bus,
                    const struct dbc_limit_ops *ops, struct dbc_plan_error *ret_error) {
        struct dbc_plan_error error = {};
        struct plan_walk w = {
                .plan = p,
                .config = c,
                .bus = bus,
                .ops = ops,
                .error = &error,
        };
        int r;

        r = dbc_cgroup_walk(root, "/", plan_one, &w);
        if (r < 0 && ret_error)
                *ret_error = error;
        else
                free(error.target);
        return r < 0 ? r : 0;
}

int dbc_plan_apply(struct dbc_plan *p, const struct dbc_limit_ops *ops, size_t *ret_failed) {
        for (size_t i = 0; i < p->n; i++) {
                struct dbc_change *c = &p->changes[i];
                int r;

                if (c->state != DBC_CHANGE_PLANNED)
                        continue;
                r = ops->write(ops->ctx, c->target, c->unit, c->limit, c->new, &c->in_force);
                if (r >= 0) {
                        c->state = DBC_CHANGE_WRITTEN;
                        continue;
                }
                c->state = DBC_CHANGE_FAILED;
                c->error = r;

                /* Put back every earlier write, last first. */
                for (size_t j = i; j-- > 0;) {
                        struct dbc_change *e = &p->changes[j];
                        int k;

                        if (e->state != DBC_CHANGE_WRITTEN)
                                continue;
                        k = ops->write(ops->ctx, e->target, e->unit, e->limit, e->old, &e->in_force);

                        e->state = k >= 0 ? DBC_CHANGE_RESTORED : DBC_CHANGE_RESTORE_FAILED;
                        e->error = k < 0 ? k : 0;
                }
                if (ret_failed)
                        *ret_failed = i;
                return r;
        }
        return 0;
}
