/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Budgets of plain cgroups on a fixture tree (the direct-write path). */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tree-util.h"
#include "dmabufctl/config.h"
#include "dmabufctl/limits.h"
#include "dmabufctl/macro.h"
#include "dmabufctl/runpolicy.h"
#include "dmabufctl/size.h"

static char tree[64];
static struct dbc_root *root;

static void put(const char *rel, const char *content) {
        tree_put(tree, rel, content);
}

static char *get(const char *rel) {
        return tree_get_maybe(tree, rel);     /* NULL: no such file */
}

static void dir(const char *rel) {
        tree_mkdir(tree, rel);
}

static void setup(void) {
        strcpy(tree, "/tmp/dbc-lim-XXXXXX");
        cr_assert_not_null(mkdtemp(tree));
        put("cgroup.controllers", "memory\n");
        dir("a.slice");
        put("a.slice/cgroup.procs", "");
        put("a.slice/memory.max", "max\n");
        put("a.slice/memory.high", "8192\n");
        dir("nomem");
        put("nomem/cgroup.procs", "");
        dir("bad");
        put("bad/memory.max", "lots\n");
        cr_assert_eq(dbc_root_open(tree, &root), 0);
}

static void teardown(void) {
        char cmd[128];

        dbc_root_free(root);
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tree);
        cr_assert_eq(system(cmd), 0);
}

TestSuite(limits, .init = setup, .fini = teardown);

Test(limits, names) {
        cr_assert_str_eq(dbc_limit_file(DBC_LIMIT_MEMORY_MAX), "memory.max");
        cr_assert_str_eq(dbc_limit_file(DBC_LIMIT_MEMORY_HIGH), "memory.high");
        cr_assert_str_eq(dbc_limit_property(DBC_LIMIT_MEMORY_MAX), "MemoryMax");
        cr_assert_str_eq(dbc_limit_property(DBC_LIMIT_MEMORY_HIGH), "MemoryHigh");
        cr_assert_null(dbc_limit_file(_DBC_LIMIT_N));
}

Test(limits, write_reads_back) {
        uint64_t v = 0;

        cr_assert_not(dbc_cgroup_uses_libcgroup(root));
        cr_assert_eq(dbc_cgroup_limit_write(root, "/a.slice", DBC_LIMIT_MEMORY_MAX, 512ull << 20, &v), 0);
        cr_assert_eq(v, 512ull << 20);
        cr_assert_str_eq(get("a.slice/memory.max"), "536870912\n");
        cr_assert_eq(dbc_cgroup_limit_write(root, "a.slice", DBC_LIMIT_MEMORY_HIGH, DBC_SIZE_MAX, &v), 0);
        cr_assert_eq(v, DBC_SIZE_MAX);
        cr_assert_str_eq(get("a.slice/memory.high"), "max\n");
        cr_assert_eq(dbc_cgroup_limit_read(root, "/a.slice", DBC_LIMIT_MEMORY_MAX, &v), 0);
        cr_assert_eq(v, 512ull << 20);
        cr_assert_eq(dbc_cgroup_limit_prepare(root, "/a.slice", DBC_LIMIT_MEMORY_HIGH, &v), 0);
        cr_assert_eq(v, DBC_SIZE_MAX);
}

Test(limits, errors) {
        uint64_t v = 7;

        cr_assert_eq(dbc_cgroup_limit_prepare(root, "/nope", DBC_LIMIT_MEMORY_MAX, &v), -ENOENT);
        cr_assert_eq(dbc_cgroup_limit_write(root, "/nope", DBC_LIMIT_MEMORY_MAX, 1, &v), -ENOENT);
        cr_assert_eq(dbc_cgroup_limit_prepare(root, "/nomem", DBC_LIMIT_MEMORY_MAX, &v), -ENOMEDIUM);
        /* The direct path never creates a file that is not there. */
        cr_assert_eq(dbc_cgroup_limit_write(root, "/nomem", DBC_LIMIT_MEMORY_MAX, 1, &v), -ENOMEDIUM);
        cr_assert_null(get("nomem/memory.max"));
        cr_assert_eq(dbc_cgroup_limit_prepare(root, "/", DBC_LIMIT_MEMORY_MAX, &v), -EXDEV);
        cr_assert_eq(dbc_cgroup_limit_write(root, "/", DBC_LIMIT_MEMORY_MAX, 1, &v), -EXDEV);
        cr_assert_eq(dbc_cgroup_limit_prepare(root, "/bad", DBC_LIMIT_MEMORY_MAX, &v), -EINVAL);
        cr_assert_eq(dbc_cgroup_limit_prepare(root, "/a.slice/memory.max", DBC_LIMIT_MEMORY_MAX, &v), -ENOENT);
        cr_assert_eq(v, 7, "output written on failure");
}

Test(limits, create_and_remove) {
        uint64_t v;

        cr_assert_eq(dbc_cgroup_create(root, "/run.slice/job", 64ull << 20), 0);
        cr_assert_str_eq(get("run.slice/job/memory.max"), "67108864\n");
        cr_assert_str_eq(get("run.slice/memory.max"), "max\n");
        cr_assert_eq(dbc_cgroup_limit_read(root, "/run.slice/job", DBC_LIMIT_MEMORY_HIGH, &v), 0);
        cr_assert_eq(v, DBC_SIZE_MAX);
        cr_assert_eq(dbc_cgroup_create(root, "/run.slice/job", DBC_SIZE_MAX), -EEXIST);
        cr_assert_eq(dbc_cgroup_create(root, "/", DBC_SIZE_MAX), -EXDEV);

        int fd = dbc_cgroup_open_procs(root, "/run.slice/job");
        cr_assert_geq(fd, 0);
        cr_assert_eq(write(fd, "42\n", 3), 3);
        close(fd);
        cr_assert_str_eq(get("run.slice/job/cgroup.procs"), "42\n");

        cr_assert_eq(dbc_cgroup_kill_wait(root, "/run.slice/job", 100), 0);
        cr_assert_eq(dbc_cgroup_remove(root, "/run.slice/job"), 0);
        cr_assert_null(get("run.slice/job/memory.max"));
        cr_assert_eq(dbc_cgroup_remove(root, "/run.slice/job"), -ENOENT);
        cr_assert_eq(dbc_cgroup_remove(root, "/"), -EXDEV);
}

Test(limits, runtime_policy_file) {
        char dirbuf[128], *path = NULL;

        snprintf(dirbuf, sizeof(dirbuf), "%s/rt", tree);
        setenv("DMABUFCTL_RUNTIME_DIR", dirbuf, 1);
        cr_assert_str_eq(dbc_runtime_dir(), dirbuf);
        cr_assert_eq(dbc_runtime_policy_write("my job/1", "/dmabufctl.slice/x", 256ull << 20, &path), 0);
        cr_assert(strstr(path, "/rt/policies.d/run-my_job_1.conf"));
        const char *text = get("rt/policies.d/run-my_job_1.conf");
        cr_assert_not_null(text);
        cr_assert(strstr(text, "\n[policy:run-my_job_1]\ncgroup = /dmabufctl.slice/x\ndmabuf.max = 268435456\n"), "%s", text);
        cr_assert_eq(dbc_runtime_policy_remove(path), 0);
        cr_assert_null(get("rt/policies.d/run-my_job_1.conf"));
        cr_assert_eq(dbc_runtime_policy_remove(path), 0);
        free(path);
        cr_assert_eq(dbc_runtime_policy_write("x", "relative", 1, &path), -EINVAL);
        cr_assert_eq(dbc_runtime_policy_write("x", "/a\nb", 1, &path), -EINVAL);
        cr_assert_eq(dbc_runtime_policy_write("", "/a", 1, &path), -EINVAL);
        unsetenv("DMABUFCTL_RUNTIME_DIR");
        cr_assert_str_eq(dbc_runtime_dir(), "/run/dmabufctl");
}

Test(limits, runtime_policy_is_loaded_with_the_configuration) {
        char rt[128], etc[128], conf[160], *path = NULL;
        struct dbc_config *c = NULL;
        struct dbc_diags d = {};

        snprintf(rt, sizeof(rt), "%s/rt", tree);
        snprintf(etc, sizeof(etc), "%s/etc", tree);
        snprintf(conf, sizeof(conf), "%s/dmabufctl.conf", etc);
        dir("etc");
        put("etc/dmabufctl.conf", "[policy:apps]\ncgroup = /apps.slice/*\ndmabuf.max = 1G\n");
        setenv("DMABUFCTL_RUNTIME_DIR", rt, 1);
        cr_assert_eq(dbc_runtime_policy_write("job", "/dmabufctl.slice/job", 64ull << 20, &path), 0);

        /* --config PATH: that file and the drop-ins beside it only. */
        cr_assert_eq(dbc_config_load(conf, true, &c, &d), 0);
        cr_assert_eq(c->n_policies, 1);
        dbc_config_free(c);

        /* The layers: the runtime drop-ins of `run` too. */
        struct dbc_config_source src = { .dirs = { .admin = etc, .runtime = rt } };
        cr_assert_eq(dbc_config_load_from(&src, &c, &d), 0);
        cr_assert_eq(c->n_policies, 2);
        cr_assert_str_eq(c->policies[1].name, "run-job");
        cr_assert_str_eq(c->policies[1].cgroup, "/dmabufctl.slice/job");
        cr_assert_eq(c->policies[1].dmabuf_max, 64ull << 20);
        cr_assert(c->policies[1].set & DBC_POLICY_DMABUF_MAX);
        dbc_config_free(c);

        /* Gone with its command: gone from the configuration. */
        cr_assert_eq(dbc_runtime_policy_remove(path), 0);
        cr_assert_eq(dbc_config_load_from(&src, &c, &d), 0);
        cr_assert_eq(c->n_policies, 1);
        dbc_config_free(c);
        free(path);
        unsetenv("DMABUFCTL_RUNTIME_DIR");
}
