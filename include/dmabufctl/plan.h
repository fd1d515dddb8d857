/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <systemd/sd-bus.h>

#include "dmabufctl/cgroup.h"
#include "dmabufctl/config.h"
#include "dmabufctl/limits.h"

/* Budget changes: computed and checked in full first (a plan), then written
 * in order; a failed write restores every earlier one, in reverse. Used by
 * `dmabufctl apply` (every policy) and `dmabufctl set` (one target). */

enum dbc_change_state {
        DBC_CHANGE_PLANNED,
        DBC_CHANGE_WRITTEN,             /* in_force holds the value read back */
        DBC_CHANGE_FAILED,              /* this write failed (error) */
        DBC_CHANGE_RESTORED,            /* written, then the old value put back */
        DBC_CHANGE_RESTORE_FAILED,      /* written, and putting old back failed (error) */
        DBC_CHANGE_UNCHANGED,           /* already in force (kept only with keep_unchanged) */
};

struct dbc_change {
        char *target;           /* a cgroup path ("/...") or a unit name */
        bool unit;              /* target is a systemd unit, changed through systemd */
        char *policy;           /* the policy asking for it; NULL for `set` */
        enum dbc_limit limit;
        uint64_t old;           /* in force when planned */
        uint64_t new;           /* asked for (a percentage resolved) */
        bool percent;           /* new was given as permyriad / 100 % of physical memory */
        uint32_t permyriad;
        uint64_t in_force;      /* read back after the write */
        enum dbc_change_state state;
        int error;
};

struct dbc_plan {
        struct dbc_change *changes;
        size_t n, cap;
        bool keep_unchanged;    /* record values already in force too (never written) */
        uint64_t physical_memory;       /* bytes a policy's "N%" is taken of (dbc_physical_memory()) */
};

void dbc_plan_done(struct dbc_plan *p);

/* How a change is read and written; tests substitute their own. prepare()
 * returns the value in force and fails when the target cannot be written
 * (it must not write); write() writes and reads back what is in force. */
struct dbc_limit_ops {
        int (*prepare)(void *ctx, const char *target, bool unit, enum dbc_limit l, uint64_t *ret);
        int (*write)(void *ctx, const char *target, bool unit, enum dbc_limit l, uint64_t value,
                     uint64_t *ret_in_force);
        void *ctx;
};

/* The real steps: cgroup paths under root (limits.h), units over bus
 * (unitprop.h; runtime = not persistent). error: systemd's message about
 * the first failure, if it gave one. */
struct dbc_limit_ctx {
        struct dbc_root *root;
        sd_bus *bus;
        bool runtime;
        char *error;
};

extern const struct dbc_limit_ops dbc_limit_ops_real;   /* ctx: struct dbc_limit_ctx * */
void dbc_limit_ctx_done(struct dbc_limit_ctx *c);

/* The smallest budget dbc_plan_add() takes: one page. Below it no process
 * can run in the cgroup (memory.max) or it is reclaimed without end
 * (memory.high); "0%", "0" and a slip of the decimal point land there, and
 * on a live slice that OOM-kills every session at once. */
uint64_t dbc_limit_floor(void);

/* Check one target and add the change when value differs from what is in
 * force (or, with keep_unchanged, an UNCHANGED entry when it does not).
 * Returns 1 a change was added, 0 nothing to change, -EDOM (before
 * anything is read) when value is below dbc_limit_floor(), or prepare()'s
 * error. */
int dbc_plan_add(struct dbc_plan *p, const struct dbc_limit_ops *ops, const char *target, bool unit,
                 const char *policy, enum dbc_limit l, uint64_t value);

/* Where planning stopped: the target and key that could not be read or
 * would not be writable. */
struct dbc_plan_error {
        char *target;
        bool unit;
        enum dbc_limit limit;
        const char *policy;     /* the policy asking (its name; the configuration's) */
        uint64_t value;         /* the budget asked for */
};

/* Every budget of every policy of c on every cgroup it matches (tree walked
 * from "/", parents first; unit policies by their resolved cgroup). A unit
 * policy becomes a unit change when bus is not NULL, else a change of its
 * cgroup. Each target is checked with ops->prepare before anything is
 * written. Returns 0, or the first error with *ret_error filled in (free its
 * target). */
int dbc_plan_config(struct dbc_plan *p, const struct dbc_config *c, struct dbc_root *root, sd_bus *bus,
                    const struct dbc_limit_ops *ops, struct dbc_plan_error *ret_error);

/* Write every PLANNED change in order. Returns 0 when all were written;
 * else the failed write's error: that change is DBC_CHANGE_FAILED, every
 * earlier written one was restored in reverse order (RESTORED or
 * RESTORE_FAILED), later ones are still PLANNED. *ret_failed (when not
 * NULL) is the failed change's index. */
int dbc_plan_apply(struct dbc_plan *p, const struct dbc_limit_ops *ops, size_t *ret_failed);
