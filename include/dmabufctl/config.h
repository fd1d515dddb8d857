/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DBC_CONFIG_PATH SYSCONFDIR "/dmabufctl/dmabufctl.conf"

enum dbc_action {
        DBC_ACTION_ALERT,
        DBC_ACTION_FREEZE,
        DBC_ACTION_KILL,
};

const char *dbc_action_to_string(enum dbc_action a);
int dbc_action_from_string(const char *s);      /* the action, or -EINVAL */

/* Which optional keys a policy set. */
enum {
        DBC_POLICY_MEMORY_MAX  = 1 << 0,
        DBC_POLICY_MEMORY_HIGH = 1 << 1,
        DBC_POLICY_DMABUF_WARN = 1 << 2,
        DBC_POLICY_DMABUF_MAX  = 1 << 3,
};

struct dbc_policy {
        char *name;             /* NAME of [policy:NAME] */
        char *cgroup;           /* path or glob, normalised ("/..."); NULL when unit is set */
        char *unit;             /* systemd unit name; NULL when cgroup is set */
        char *resolved;         /* unit policies: the unit's cgroup once resolved, else NULL */
        uint64_t memory_max;    /* bytes, DBC_SIZE_MAX for "max" */
        uint64_t memory_high;
        uint64_t dmabuf_warn;
        uint64_t dmabuf_max;
        unsigned set;           /* DBC_POLICY_* bits */
        enum dbc_action action;
        char *file;             /* where [policy:NAME] first appeared */
        unsigned line;
};

struct dbc_config {
        char *path;             /* the main file */
        uint64_t interval_ms;   /* default 1s */
        uint64_t grace_ms;      /* default 2s */
        uint64_t cooldown_ms;   /* default 10s */
        char *metrics_file;     /* default /run/dmabufctl/metrics.prom */
        char *alert_hook;       /* NULL: none */
        char *run_parent;       /* default /dmabufctl.slice */
        char **protect;         /* globs of cgroup paths; n_protect of them */
        size_t n_protect;
        struct dbc_policy *policies;    /* in order of first appearance */
        size_t n_policies;
};

/* One problem found in a configuration, reported as "FILE:LINE: message"
 * (line 0: the file as a whole, printed "FILE: message"). */
struct dbc_diag {
        char *file;
        unsigned line;
        char *message;
};

struct dbc_diags {
        struct dbc_diag *items;
        size_t n;
};

void dbc_diags_clear(struct dbc_diags *d);

/* Load path and then every policies.d/\*.conf beside it, in lexical order; a
 * later file's keys override the same policy's earlier keys. Every problem of
 * every file is collected in diags (all of them, not just the first).
 * A missing main file is a problem only when must_exist; otherwise it gives
 * the defaults (and the drop-ins, if there are any). Within one section a
 * key may appear once per file; cgroup and unit count as one setting, so a
 * later file setting either one replaces the earlier target.
 * Returns 0 and *ret on success (diags empty); -EINVAL when any problem was
 * found (diags says what); -ENOMEM. */
int dbc_config_load(const char *path, bool must_exist, struct dbc_config **ret, struct dbc_diags *diags);

/* As dbc_config_load(), then every RUNTIME_DIR/policies.d/\*.conf (lexical
 * order), after and so over the drop-ins beside path: the runtime policies
 * `dmabufctl run --dmabuf-max` writes while its command runs (runpolicy.h;
 * RUNTIME_DIR is normally dbc_runtime_dir(), /run/dmabufctl). dmabufd loads
 * its configuration this way. A missing directory is no problem; runtime_dir
 * NULL reads none. */
int dbc_config_load_runtime(const char *path, bool must_exist, const char *runtime_dir,
                            struct dbc_config **ret, struct dbc_diags *diags);

/* The defaults alone. */
int dbc_config_new(struct dbc_config **ret);
void dbc_config_free(struct dbc_config *c);
