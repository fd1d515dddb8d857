/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "dmabufctl/cgroup.h"

/* The budgets dmabufctl writes. */
enum dbc_limit {
        DBC_LIMIT_MEMORY_MAX,
        DBC_LIMIT_MEMORY_HIGH,
        _DBC_LIMIT_N,
};

/* "memory.max" / "memory.high": the cgroup file, and the key shown to users. */
const char *dbc_limit_file(enum dbc_limit l);
/* "MemoryMax" / "MemoryHigh": the systemd unit property. */
const char *dbc_limit_property(enum dbc_limit l);

/* Plain cgroups. On the system's cgroup2 mount, writes go through libcgroup;
 * on any other tree (a --root fixture, which libcgroup cannot be pointed at)
 * straight to the files. Reads always go to the file, so what is returned is
 * what the kernel (or the fixture) holds, on both paths.
 *
 * Errors of all of these: -EXDEV for the root cgroup (it has no limits),
 * -ENOENT when the cgroup does not exist, -ENOMEDIUM when it exists but has no
 * such file (the memory controller is not enabled for it), -EACCES / -EPERM,
 * -EINVAL for malformed content or a value the kernel refuses. */

/* The value in force. */
int dbc_cgroup_limit_read(struct dbc_root *r, const char *path, enum dbc_limit l, uint64_t *ret);

/* The value in force, after checking the file can also be written. */
int dbc_cgroup_limit_prepare(struct dbc_root *r, const char *path, enum dbc_limit l, uint64_t *ret);

/* Write value (DBC_SIZE_MAX: "max"), then read back what is in force (the
 * kernel rounds down to whole pages) into *ret_in_force when not NULL. */
int dbc_cgroup_limit_write(struct dbc_root *r, const char *path, enum dbc_limit l, uint64_t value,
                           uint64_t *ret_in_force);

/* Create cgroup path (normalised, not "/") for `dmabufctl run`: missing
 * parents are created, the memory controller is enabled in every ancestor's
 * cgroup.subtree_control, and memory_max (DBC_SIZE_MAX: none) is set.
 * Returns 0, -EEXIST when path exists already, or an error as above. */
int dbc_cgroup_create(struct dbc_root *r, const char *path, uint64_t memory_max);

/* Remove an empty cgroup created by dbc_cgroup_create(). -EBUSY when it
 * still has processes; -ENOENT when it is gone already. */
int dbc_cgroup_remove(struct dbc_root *r, const char *path);

/* Kill every process left in path (cgroup.kill) and wait up to timeout_ms for
 * it to be empty (cgroup.events "populated 0"). Returns 0, -ETIME, or an
 * error. A fixture tree (not cgroup2fs) has nothing to kill: 0. */
int dbc_cgroup_kill_wait(struct dbc_root *r, const char *path, unsigned timeout_ms);

/* Open path's cgroup.procs for writing (O_CLOEXEC): a child writes its own
 * pid there to enter the cgroup before exec. Returns the fd or an error. */
int dbc_cgroup_open_procs(struct dbc_root *r, const char *path);

/* Does the tree's libcgroup path apply (r is the mount libcgroup found)?
 * Exposed for messages and tests. */
bool dbc_cgroup_uses_libcgroup(struct dbc_root *r);
