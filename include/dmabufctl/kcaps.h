/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

#include "dmabufctl/cgroup.h"

/* What the running kernel offers. Mainline (Linux 7.0 on) has
 * dma_heap.mem_accounting, which charges dma-heap pages to the allocating
 * process as kernel memory; the dmabufctl series adds the "dmabuf" key of
 * memory.stat and DMA_HEAP_FLAG_CHARGE_PIDFD (an allocator charges its
 * client). */
struct dbc_kcaps {
        bool dmabuf_stat;       /* memory.stat has a "dmabuf" key (the series) */
        bool memory_controller; /* some cgroup in the tree has memory.stat */
        int mem_accounting;     /* 1 on, 0 off, -1 no such parameter (a kernel before 7.0) */
        int charge_pidfd;       /* 1 the system heap takes DMA_HEAP_FLAG_CHARGE_PIDFD,
                                 * 0 it rejects it (no series), -1 unknown (no heap we may open) */
};

/* sysfs_root and dev_root are normally "/sys" and "/dev" ($DMABUFCTL_SYSFS_ROOT
 * and $DMABUFCTL_DEV_ROOT in tests). The memory.stat probed is the root's, or
 * the first child's that has one. Returns 0 or a negative errno for an
 * unreadable parameter file. */
int dbc_kcaps_probe(struct dbc_root *r, const char *sysfs_root, const char *dev_root, struct dbc_kcaps *ret);

/* Only the dma_heap.mem_accounting parameter: *ret 1 on, 0 off, -1 absent.
 * Returns 0 or the error of reading it (the path is
 * SYSFS/module/dma_heap/parameters/mem_accounting). */
int dbc_kcaps_mem_accounting(const char *sysfs_root, int *ret);

/* Only DMA_HEAP_FLAG_CHARGE_PIDFD: asks DEV/dma_heap/system for a page with
 * the flag and a charge_pid_fd that is no fd, which allocates nothing: a
 * kernel without the flag says EINVAL (*ret 0), one with it fails the pidfd
 * (*ret 1). *ret -1 when the heap cannot be opened (absent, or not root)
 * or is no dma-heap (ENOTTY). Returns 0 or -ENOMEM. */
int dbc_kcaps_charge_pidfd(const char *dev_root, int *ret);
