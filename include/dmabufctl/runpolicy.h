/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdint.h>

#include "dmabufctl/cgroup.h"

/* Runtime policies: drop-ins that `dmabufctl run --dmabuf-max` writes for
 * the cgroup of its command and removes when the command has exited. They
 * are ordinary policy files (dmabufctl.conf(5)) in the runtime directory,
 * $DMABUFCTL_RUNTIME_DIR/policies.d (default /run/dmabufctl/policies.d),
 * which dmabufd reads after /etc/dmabufctl's own. */

#define DBC_RUNTIME_DIR "/run/dmabufctl"

/* $DMABUFCTL_RUNTIME_DIR when set and not empty, else DBC_RUNTIME_DIR. */
const char *dbc_runtime_dir(void);

/* Write policies.d/run-NAME.conf in the runtime directory (created if
 * missing), atomically: [policy:run-NAME] with cgroup = cgroup and
 * dmabuf.max = dmabuf_max, and its owner (this process's pid and start
 * time) on a "# owner: pid=P start=S" comment line. NAME is name with every character a policy name
 * may not hold replaced by '_', and cut to fit. *ret_path: the file, for
 * dbc_runtime_policy_remove(). Returns 0 or a negative errno. */
int dbc_runtime_policy_write(const char *name, const char *cgroup, uint64_t dmabuf_max, char **ret_path);

/* Remove it; gone already is no error. */
int dbc_runtime_policy_remove(const char *path);

/* Is the runtime drop-in at path stale: the dmabufctl run that wrote it is
 * gone (its owner line; a file without one has no owner alive) and its
 * cgroup (relative to root) is empty or gone? A SIGKILLed `run` leaves
 * such a file behind. proc_root NULL: /proc. Returns 1, 0, or a negative
 * errno (-EINVAL: not a drop-in run wrote). */
int dbc_runtime_policy_stale(const char *path, struct dbc_root *root, const char *proc_root);

/* Remove every stale policies.d/run-*.conf of the runtime directory;
 * on_removed (may be NULL) is told each one. Returns how many were removed,
 * or a negative errno (the first failure; the others are still tried). */
int dbc_runtime_policies_prune(struct dbc_root *root, const char *proc_root,
                               void (*on_removed)(const char *path, void *userdata), void *userdata);
