/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

#include "dmabufctl/cgroup.h"

/* What the running kernel offers. */
struct dbc_kcaps {
        bool dmabuf_stat;       /* memory.stat has a "dmabuf" key */
        bool memory_controller; /* some cgroup in the tree has memory.stat */
        int mem_accounting;     /* 1 on, 0 off, -1 no such parameter (unpatched kernel) */
};

/* sysfs_root is normally "/sys" ($DMABUFCTL_SYSFS_ROOT in tests). The memory.stat
 * probed is the root's, or the first child's that has one. Returns 0 or a
 * negative errno for an unreadable parameter file. */
int dbc_kcaps_probe(struct dbc_root *r, const char *sysfs_root, struct dbc_kcaps *ret);

/* Only the dma_heap.mem_accounting parameter: *ret 1 on, 0 off, -1 absent.
 * Returns 0 or the error of reading it (the path is
 * SYSFS/module/dma_heap/parameters/mem_accounting). */
int dbc_kcaps_mem_accounting(const char *sysfs_root, int *ret);
