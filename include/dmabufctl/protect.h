/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "dmabufctl/cgroup.h"
#include "dmabufctl/config.h"

/* The never-act list of the daemon contract: the root cgroup, init.scope,
 * the daemon's own cgroup (and everything below it), and whatever a
 * `protect` glob names (and everything below it). Acting on a cgroup acts on
 * its whole subtree, so a target must also hold none of these below it
 * (nor the daemon itself): dbc_subtree_never_act(). */

/* The calling process's cgroup2 path from PROC_ROOT/self/cgroup (proc_root
 * NULL means "/proc"): the "0::/path" line. Returns 0 and *ret (normalised),
 * -ENOENT when the file or a cgroup2 line is missing, -EINVAL for a malformed
 * file. */
int dbc_self_cgroup(const char *proc_root, char **ret);

/* Why path (normalised) must never be acted on, or NULL when it may be.
 * self is the daemon's own cgroup (NULL: unknown). The strings are static:
 * "root cgroup", "init.scope", "own cgroup", "protect list". */
const char *dbc_never_act_reason(const struct dbc_config *c, const char *self, const char *path);

/* Like dbc_never_act_reason() for path and every cgroup below it (acting on
 * a cgroup acts on its whole subtree). Returns 0 when the subtree is clean,
 * 1 when something in it is on the list (*ret_path the first such cgroup,
 * allocated, and *ret_reason why), or a negative errno from the walk. */
int dbc_subtree_never_act(struct dbc_root *r, const struct dbc_config *c, const char *self,
                          const char *path, char **ret_path, const char **ret_reason);
