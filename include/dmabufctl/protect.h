/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dmabufctl/cgroup.h"
#include "dmabufctl/config.h"

/* The never-act list of the daemon contract. Cgroups are compared by id
 * (the inode number of the cgroup directory), never by path string, so a
 * name shields nothing:
 * - the root cgroup of the hierarchy;
 * - /init.scope directly below the root (systemd's PID 1), and any cgroup
 *   holding the init process (PID 1) of a pid namespace (NSpid of
 *   /proc/PID/status ends in 1): a container's init;
 * - a held cgroup (the one holding dmabufd, with its hooks, and the one
 *   holding systemd-journald) and everything below it; when dmabufd lives
 *   in the root cgroup it protects only the root;
 * - whatever a `protect` glob names (and everything below it).
 * Acting on a cgroup acts on its whole subtree, so a target must also hold
 * none of these below it (dbc_never_act_subtree()): an ancestor of dmabufd
 * may be descended through but never acted on. */

#define DBC_NEVER_ACT_HELD_MAX 4

struct dbc_never_act {
        const struct dbc_config *config;        /* protect globs; NULL: none */
        const char *proc_root;                  /* for NSpid; NULL: /proc */
        uint64_t root_id;
        uint64_t init_scope_id;                 /* 0: no /init.scope */
        size_t n_held;
        struct {
                uint64_t id;
                const char *what;               /* "own cgroup", "journal" (static) */
        } held[DBC_NEVER_ACT_HELD_MAX];
};

/* The calling process's cgroup2 path from PROC_ROOT/self/cgroup (proc_root
 * NULL means "/proc"): the "0::/path" line. Returns 0 and *ret (normalised),
 * -ENOENT when the file or a cgroup2 line is missing, -EINVAL for a malformed
 * file. */
int dbc_self_cgroup(const char *proc_root, char **ret);

/* The cgroup2 path of systemd-journald: the first process of proc_root
 * (NULL: /proc) whose comm is "systemd-journal" and whose real uid is 0 (a
 * user may name a process so, but cannot make it root's). Returns 0 and
 * *ret, -ESRCH when there is none, other negative errnos. */
int dbc_journal_cgroup(const char *proc_root, char **ret);

/* Fill na for root r: the root's id and /init.scope's. Returns 0 or a
 * negative errno. */
int dbc_never_act_init(struct dbc_never_act *na, struct dbc_root *r, const struct dbc_config *c,
                       const char *proc_root);

/* Add the cgroup at path (relative to r) as held, what being the reason
 * shown ("own cgroup"). The root cgroup adds nothing (it is protected on
 * its own, and protects nothing below it). Returns 0, -ENOENT when path is
 * not in the tree, -ENOSPC when the list is full. */
int dbc_never_act_hold(struct dbc_never_act *na, struct dbc_root *r, const char *path, const char *what);

/* Why the cgroup open at dirfd (at path, for the protect globs) must never
 * be acted on, or NULL when it may be. Reads cgroup.procs and the NSpid of
 * every process in it. The strings are static: "root cgroup", "init.scope",
 * "init of a pid namespace", "own cgroup", "journal", "protect list". */
const char *dbc_never_act_reason(const struct dbc_never_act *na, int dirfd, const char *path);

/* The reason of a held cgroup that is path (relative to r) or one of its
 * ancestors, opened one component at a time from the root: NULL when none. */
const char *dbc_never_act_below_held(const struct dbc_never_act *na, struct dbc_root *r, const char *path);

/* Like dbc_never_act_reason() for the cgroup at dirfd (path) and every
 * cgroup below it (acting on a cgroup acts on its whole subtree). Returns 0
 * when the subtree is clean, 1 when something in it is on the list
 * (*ret_path the first such cgroup, allocated, and *ret_reason why), or a
 * negative errno from the walk. */
int dbc_never_act_subtree(const struct dbc_never_act *na, struct dbc_root *r, int dirfd, const char *path,
                          char **ret_path, const char **ret_reason);
