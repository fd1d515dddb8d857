/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <linux/dma-heap.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "dmabufctl/kcaps.h"
#include "dmabufctl/macro.h"
#include "dmabufctl/memstat.h"

struct probe {
        bool found;
        bool dmabuf;
};

static int probe_one(struct dbc_root *r, const char *path, int dirfd, void *userdata) {
        struct probe *p = userdata;
        char buf[16384];
        struct dbc_memstat m;
        int k;

        k = dbc_read_file_at(dirfd, "memory.stat", buf, sizeof(buf));
        if (k < 0)
                return 0;       /* no memory controller here; keep looking */
        if (dbc_memstat_parse(buf, (size_t) k, &m) < 0)
                return 0;
        p->found = true;
        p->dmabuf = m.has_dmabuf;
        return -ECANCELED;      /* one is enough */
}

int dbc_kcaps_mem_accounting(const char *sysfs_root, int *ret) {
        _cleanup_free_ char *param = NULL;
        char buf[16];
        int k;

        if (asprintf(&param, "%s/module/dma_heap/parameters/mem_accounting", sysfs_root ? sysfs_root : "/sys") < 0)
                return -ENOMEM;
        k = dbc_read_file_at(AT_FDCWD, param, buf, sizeof(buf));
        if (k == -ENOENT) {
                *ret = -1;
                return 0;
        }
        if (k < 0)
                return k;
        *ret = buf[0] == 'Y' || buf[0] == 'y' || buf[0] == '1';
        return 0;
}

/* struct dma_heap_allocation_data as the series extends it (DESIGN.md,
 * "Kernel contract"): the system's headers may predate it. */
struct heap_alloc_v2 {
        __u64 len;
        __u32 fd;
        __u32 fd_flags;
        __u64 heap_flags;
        __u32 charge_pid_fd;
        __u32 padding;
};
#define HEAP_FLAG_CHARGE_PIDFD (1ULL << 0)
#define HEAP_IOCTL_ALLOC_V2 _IOWR(DMA_HEAP_IOC_MAGIC, 0x0, struct heap_alloc_v2)

int dbc_kcaps_charge_pidfd(const char *dev_root, int *ret) {
        _cleanup_free_ char *path = NULL;
        _cleanup_close_ int heap = -1;
        struct heap_alloc_v2 a = {
                .len = 4096,
                .fd_flags = O_RDWR | O_CLOEXEC,
                .heap_flags = HEAP_FLAG_CHARGE_PIDFD,
                .charge_pid_fd = UINT32_MAX,    /* no fd: fails before any page is taken */
        };

        if (asprintf(&path, "%s/dma_heap/system", dev_root ? dev_root : "/dev") < 0)
                return -ENOMEM;
        heap = open(path, O_RDONLY | O_CLOEXEC);
        if (heap < 0) {
                *ret = -1;
                return 0;
        }
        if (ioctl(heap, HEAP_IOCTL_ALLOC_V2, &a) == 0) {
                /* Not expected (no process has that fd); whatever it is, the
                 * flag was taken. */
                close((int) a.fd);
                *ret = 1;
        } else if (errno == ENOTTY)
                *ret = -1;      /* not a dma-heap */
        else
                *ret = errno != EINVAL;
        return 0;
}

int dbc_kcaps_probe(struct dbc_root *r, const char *sysfs_root, const char *dev_root, struct dbc_kcaps *ret) {
        struct dbc_kcaps caps = {};
        struct probe p = {};
        int k;

        k = dbc_cgroup_walk(r, "/", probe_one, &p);
        if (k < 0 && k != -ECANCELED)
                return k;
        caps.memory_controller = p.found;
        caps.dmabuf_stat = p.dmabuf;

        k = dbc_kcaps_mem_accounting(sysfs_root, &caps.mem_accounting);
        if (k < 0)
                return k;
        k = dbc_kcaps_charge_pidfd(dev_root, &caps.charge_pidfd);
        if (k < 0)
                return k;
        *ret = caps;
        return 0;
}
