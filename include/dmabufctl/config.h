/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sys/types.h>

#include "dmabufctl/limits.h"
#include "dmabufctl/trust.h"

/* The configuration contract's layers: the main file DBC_CONFIG_NAME in
 * DBC_ADMIN_DIR, else in DBC_VENDOR_DIR; policies.d/\*.conf of the vendor,
 * admin and runtime (runpolicy.h) directories. */
#define DBC_CONFIG_NAME "dmabufctl.conf"
#define DBC_ADMIN_DIR SYSCONFDIR "/dmabufctl"
#define DBC_VENDOR_DIR "/usr/lib/dmabufctl"
#define DBC_CONFIG_PATH DBC_ADMIN_DIR "/" DBC_CONFIG_NAME

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
        DBC_POLICY_MEMORY_MAX_PERCENT  = 1 << 4,        /* memory_max_permyriad holds it */
        DBC_POLICY_MEMORY_HIGH_PERCENT = 1 << 5,
};

struct dbc_policy {
        char *name;             /* NAME of [policy:NAME] */
        char *cgroup;           /* path or glob, normalised ("/..."); NULL when unit is set */
        char *unit;             /* systemd unit name; NULL when cgroup is set */
        char *resolved;         /* unit policies: the unit's cgroup once resolved, else NULL */
        bool unconfirmed;       /* dmabufd: resolved kept across a reload, not yet confirmed by
                                 * systemd: only the directory of cgroup id kept_id is policed there */
        uint64_t kept_id;       /* (0: none, nothing there is policed until systemd answers) */
        uint64_t memory_max;    /* bytes, DBC_SIZE_MAX for "max" */
        uint64_t memory_high;
        uint32_t memory_max_permyriad;  /* "N%" of physical memory: N * 100 (see set) */
        uint32_t memory_high_permyriad;
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
        uint64_t metrics_interval_ms;   /* default 15s */
        char *alert_hook;       /* NULL: none */
        char *run_parent;       /* default /dmabufctl.slice */
        char **protect;         /* globs of cgroup paths; n_protect of them */
        size_t n_protect;
        struct dbc_policy *policies;    /* in order of first appearance */
        size_t n_policies;
        char **files;           /* the files read, in order */
        size_t n_files;
        int hook_fd;            /* loaded with trust: alert_hook, opened and checked; else -1 */
        bool hook_script;       /* it starts with "#!" */
        char **notes;                   /* warnings for the programs to print ("FILE:LINE: ...") */
        size_t n_notes;
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

/* Where the layered configuration lives; NULL skips a layer. */
struct dbc_config_dirs {
        const char *vendor;     /* DBC_VENDOR_DIR, /usr/lib/dmabufctl */
        const char *admin;      /* DBC_ADMIN_DIR, /etc/dmabufctl */
        const char *runtime;    /* dbc_runtime_dir(), /run/dmabufctl */
};

/* The defaults; $DMABUFCTL_VENDOR_DIR, $DMABUFCTL_CONFIG_DIR and
 * $DMABUFCTL_RUNTIME_DIR (when set and not empty) replace them, for tests
 * on fixture trees. */
void dbc_config_dirs_default(struct dbc_config_dirs *ret);

/* What to load. */
struct dbc_config_source {
        /* --config PATH: that file and the policies.d/\*.conf beside it,
         * nothing else. NULL: the layers of dirs (all NULL: the defaults):
         * the admin main file, else the vendor one; policies.d/\*.conf of
         * vendor, admin and runtime, a name in a later layer masking the
         * same name in earlier ones, a symlink to /dev/null masking it for
         * good (recognised with readlink, never followed or checked); the
         * surviving drop-ins read in lexical order of their names. */
        const char *path;
        struct dbc_config_dirs dirs;
        bool must_exist;        /* path must exist (the layered main file never must) */
        /* dmabufd: every file and directory opened through the trusted walk
         * of trust.h (no symlink followed, each checked on its fd), parsed
         * from that fd, and alert-hook opened and checked into hook_fd.
         * NULL: plain opens (the CLI reads, it does not run anything). */
        const struct dbc_trust *trust;
};

/* Load the configuration src names; a later file's keys override the same
 * policy's earlier keys. Every problem of every file is collected in diags
 * (all of them, not just the first); a refusal by the trust check is one,
 * "refused: PATH is WHY ...". Within one section a key may appear once per
 * file; cgroup and unit count as one setting, so a later file setting
 * either one replaces the earlier target. *ret's files lists what was read.
 * Returns 0 and *ret on success (diags empty); -EINVAL when any problem was
 * found (diags says what); -ENOMEM. */
int dbc_config_load_from(const struct dbc_config_source *src, struct dbc_config **ret, struct dbc_diags *diags);

/* dbc_config_load_from() of path (NULL: the default layers), untrusted. */
int dbc_config_load(const char *path, bool must_exist, struct dbc_config **ret, struct dbc_diags *diags);

/* The defaults alone. */
int dbc_config_new(struct dbc_config **ret);
void dbc_config_free(struct dbc_config *c);

/* The bytes of a policy's memory.max or memory.high (l), a percentage
 * resolved against physical bytes of memory. */
uint64_t dbc_policy_limit(const struct dbc_policy *p, enum dbc_limit l, uint64_t physical);
/* Does any policy give memory.max or memory.high as a percentage? */
bool dbc_config_uses_percent(const struct dbc_config *c);
