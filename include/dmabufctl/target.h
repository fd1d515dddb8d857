/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdint.h>

#include "dmabufctl/cgroup.h"
#include "dmabufctl/protect.h"

/* The offender, not the neighbours: the cgroup that `freeze` and `kill` go
 * to when a policed cgroup is over its budget. From the policed cgroup it
 * descends to the child holding the most dmabuf (memory.stat; ties go to
 * the first by name), as long as the current cgroup has no processes of its
 * own or that child holds more than the current cgroup's own share. That
 * child must hold dma-buf (> 0) and be populated ("populated 1" in
 * cgroup.events: processes in it or below). A leaf is
 * acted on whole. It never moves on to a smaller sibling: when the busiest
 * child is on the never-act list the verdict is PROTECTED, and when no child
 * holds any of the charge, the busiest is not populated, or it holds less
 * than the cgroup itself does (a cgroup without processes of its own) (it sits on the cgroup itself, left by a
 * client that exited while another process keeps its buffers) it is
 * NO_HOLDER. */

enum dbc_target_verdict {
        DBC_TARGET_ACT,                 /* path and fd: the target */
        DBC_TARGET_PROTECTED,           /* path: the never-act cgroup, reason why */
        DBC_TARGET_NO_HOLDER,           /* path: the cgroup whose charge no live child holds */
};

enum dbc_target_where {
        DBC_TARGET_AT_POLICED,          /* the policed cgroup itself (or one below a held one) */
        DBC_TARGET_AT_BUSIEST,          /* the busiest child on the way down */
        DBC_TARGET_AT_SUBTREE,          /* a cgroup below the chosen target */
};

struct dbc_target {
        enum dbc_target_verdict verdict;
        enum dbc_target_where where;    /* PROTECTED: which cgroup was refused */
        char *path;
        int fd;                         /* ACT: the target's directory, opened during the
                                         * choice, for acting through (never looked up
                                         * again by path); else -1 */
        uint64_t id;                    /* ACT: its cgroup id */
        const char *reason;             /* PROTECTED: static, see dbc_never_act_reason() */
};

/* Free path, close fd; t stays reusable (fd -1). */
void dbc_target_done(struct dbc_target *t);

/* Choose for policed (a path relative to r). When expect_id is not 0 the
 * directory opened at policed, the one every choice and the action go
 * through, must have that cgroup id (dbc_cgroup_id()): -ESTALE when another
 * directory is there now. Returns 0 and *ret filled; -ENOENT when policed
 * vanished; other negative errnos for unreadable files (nothing to free
 * then). */
int dbc_target_find(struct dbc_root *r, const struct dbc_never_act *na, const char *policed, uint64_t expect_id,
                    struct dbc_target *ret);

/* Does the cgroup open at dirfd hold processes of its own (a non-empty
 * cgroup.procs)? Returns 1, 0, or a negative errno. */
int dbc_cgroup_has_procs(int dirfd);

/* Is the cgroup open at dirfd populated (processes in it or below:
 * "populated 1" in cgroup.events)? Returns 1, 0, or a negative errno
 * (-EINVAL when cgroup.events has no populated line). */
int dbc_cgroup_populated(int dirfd);

/* The dmabuf figure of memory.stat of the cgroup open at dirfd (0 when the
 * kernel has no dmabuf key). Returns 0 or a negative errno. */
int dbc_cgroup_read_dmabuf(int dirfd, uint64_t *ret);
