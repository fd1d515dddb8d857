/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tree-util.h"
#include "dmabufctl/kcaps.h"

static char dir[64];

static void put(const char *rel, const char *content) {
        tree_put(dir, rel, content);
}

static void setup(void) {
        strcpy(dir, "/tmp/dbc-kcaps-XXXXXX");
        cr_assert_not_null(mkdtemp(dir));
}

static void teardown(void) {
        char cmd[128];

        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
        cr_assert_eq(system(cmd), 0);
}

TestSuite(kcaps, .init = setup, .fini = teardown);

static struct dbc_kcaps probe(void) {
        char cg[128], sys[128], dev[128];
        struct dbc_root *r = NULL;
        struct dbc_kcaps k;

        snprintf(cg, sizeof(cg), "%s/cg", dir);
        snprintf(sys, sizeof(sys), "%s/sys", dir);
        snprintf(dev, sizeof(dev), "%s/dev", dir);
        cr_assert_eq(dbc_root_open(cg, &r), 0);
        cr_assert_eq(dbc_kcaps_probe(r, sys, dev, &k), 0);
        dbc_root_free(r);
        return k;
}

Test(kcaps, patched_kernel_accounting_on) {
        put("cg/cgroup.controllers", "memory\n");
        put("cg/memory.stat", "anon 0\ndmabuf 0\n");
        put("sys/module/dma_heap/parameters/mem_accounting", "Y\n");
        struct dbc_kcaps k = probe();
        cr_assert(k.memory_controller);
        cr_assert(k.dmabuf_stat);
        cr_assert_eq(k.mem_accounting, 1);
}

Test(kcaps, accounting_off) {
        put("cg/cgroup.controllers", "memory\n");
        put("cg/memory.stat", "dmabuf 0\n");
        put("sys/module/dma_heap/parameters/mem_accounting", "N\n");
        cr_assert_eq(probe().mem_accounting, 0);
}

Test(kcaps, unpatched_kernel) {
        put("cg/cgroup.controllers", "memory\n");
        put("cg/memory.stat", "anon 0\nfile 0\n");
        put("sys/module/.keep", "");
        struct dbc_kcaps k = probe();
        cr_assert(k.memory_controller);
        cr_assert_not(k.dmabuf_stat);
        cr_assert_eq(k.mem_accounting, -1);
}

Test(kcaps, stat_only_below_root) {
        /* a root without memory.stat (memory controller on v1 at the root
         * level): the first child that has one decides */
        put("cg/cgroup.controllers", "\n");
        put("cg/a/cgroup.controllers", "\n");
        put("cg/b/memory.stat", "dmabuf 4096\n");
        put("sys/module/.keep", "");
        struct dbc_kcaps k = probe();
        cr_assert(k.memory_controller);
        cr_assert(k.dmabuf_stat);
}

Test(kcaps, no_memory_controller) {
        put("cg/cgroup.controllers", "pids\n");
        put("sys/module/.keep", "");
        struct dbc_kcaps k = probe();
        cr_assert_not(k.memory_controller);
        cr_assert_not(k.dmabuf_stat);
}

Test(kcaps, charge_pidfd_unknown_without_a_heap) {
        put("cg/cgroup.controllers", "memory\n");
        put("cg/memory.stat", "dmabuf 0\n");
        put("sys/module/dma_heap/parameters/mem_accounting", "Y\n");
        cr_assert_eq(probe().charge_pidfd, -1);
}

Test(kcaps, charge_pidfd_unknown_when_not_a_heap) {
        /* a regular file where the heap should be: ENOTTY, not "rejected" */
        char dev[128];
        int flag = 7;

        put("dev/dma_heap/system", "");
        snprintf(dev, sizeof(dev), "%s/dev", dir);
        cr_assert_eq(dbc_kcaps_charge_pidfd(dev, &flag), 0);
        cr_assert_eq(flag, -1);
}
