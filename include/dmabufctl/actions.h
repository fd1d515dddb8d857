/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>

/* What the daemon does to a cgroup, through its directory fd (see
 * dbc_cgroup_open()). A cgroup or process that is already gone (ENOENT,
 * ENODEV, ESRCH) counts as done, never as a failure. */

/* Write 1 to cgroup.freeze and wait up to timeout_ms for cgroup.events to
 * say "frozen 1". Returns 0 when frozen (or the cgroup is gone), -ETIMEDOUT
 * when the kernel did not confirm in time (the cgroup stays asked to freeze),
 * -EOPNOTSUPP when there is no cgroup.freeze (kernel before 5.2, or the root
 * cgroup), other negative errnos from the writes. */
int dbc_cgroup_freeze(int dirfd, uint64_t timeout_ms);

/* Write 0 to cgroup.freeze. Returns 0 (also when gone or unsupported) or a
 * negative errno. */
int dbc_cgroup_thaw(int dirfd);

/* Is the cgroup asked to be frozen (cgroup.freeze reads 1)? 1, 0, or a
 * negative errno (-ENOENT without cgroup.freeze). */
int dbc_cgroup_is_frozen(int dirfd);

/* Kill every process of the cgroup and its descendants with SIGKILL:
 * cgroup.kill when the kernel has it (5.14), else freeze, then
 * pidfd_open() + pidfd_send_signal() for every pid in cgroup.procs of the
 * cgroup and every descendant (never kill(2) by number: a pid can be reused
 * between reading it and signalling), and thaw on the way out. A cgroup
 * that was frozen before is thawed afterwards too, so that the processes
 * can die and nothing stays frozen by mistake.
 * Returns 0 when cgroup.kill did it, 1 when the pidfd fallback did, or a
 * negative errno (the first failure; the fallback still signals every
 * other process). */
int dbc_cgroup_kill(int dirfd);
