/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

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

int dbc_kcaps_probe(struct dbc_root *r, const char *sysfs_root, struct dbc_kcaps *ret) {
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
        *ret = caps;
        return 0;
}
