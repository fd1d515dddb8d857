/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "dmabufctl/cgroup.h"
#include "dmabufctl/config.h"

/* The offender, not the neighbours: the cgroup that `freeze` and `kill` go
 * to when the policed cgroup `policed` is over its budget. From policed it
 * descends to the child holding the most dmabuf (memory.stat; ties go to the
 * first by name), passing over children on the never-act list, as long as
 * the current cgroup has no processes of its own or that child holds more
 * than the current cgroup's own share. A leaf is acted on whole. self is the
 * daemon's own cgroup (NULL: unknown).
 *
 * Returns 0 and *ret (allocated) when the target may be acted on; 1 when
 * the never-act list forbids it: *ret names the cgroup that is protected
 * (the target, or one below it) and *ret_reason why; -ENOENT when policed
 * vanished; other negative errnos for unreadable files. */
int dbc_target_find(struct dbc_root *r, const struct dbc_config *c, const char *self,
                    const char *policed, char **ret, const char **ret_reason);

/* Does the cgroup open at dirfd hold processes (a non-empty cgroup.procs)?
 * Returns 1, 0, or a negative errno. */
int dbc_cgroup_has_procs(int dirfd);

/* The dmabuf figure of memory.stat of the cgroup open at dirfd (0 when the
 * kernel has no dmabuf key). Returns 0 or a negative errno. */
int dbc_cgroup_read_dmabuf(int dirfd, uint64_t *ret);
