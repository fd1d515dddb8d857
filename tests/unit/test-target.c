/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The offender and the never-act list, on the "daemon" fixture tree. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>
#include <sys/stat.h>

#include "dmabufctl/config.h"
#include "dmabufctl/protect.h"
#include "dmabufctl/target.h"

static struct dbc_root *root;
static struct dbc_config *config;
static const char *self = "/system.slice/dmabufd.service";

static void setup(void) {
        struct dbc_diags diags = {};

        cr_assert_eq(dbc_root_open(SRCDIR "/tests/fixtures/cgroup-daemon", &root), 0);
        cr_assert_eq(dbc_config_load(SRCDIR "/tests/fixtures/daemon.conf", true, &config, &diags), 0);
}

static void teardown(void) {
        dbc_config_free(config);
        dbc_root_free(root);
}

TestSuite(target, .init = setup, .fini = teardown);

static void expect_target(const char *policed, const char *want) {
        char *t = NULL;
        const char *why = NULL;

        cr_assert_eq(dbc_target_find(root, config, self, policed, &t, &why), 0, "%s", policed);
        cr_assert_str_eq(t, want, "%s", policed);
        free(t);
}

static void expect_protected(const char *policed, const char *at, const char *reason) {
        char *t = NULL;
        const char *why = NULL;

        cr_assert_eq(dbc_target_find(root, config, self, policed, &t, &why), 1, "%s", policed);
        cr_assert_str_eq(t, at);
        cr_assert_str_eq(why, reason);
        free(t);
}

Test(target, busiest_child_of_a_slice) {
        expect_target("/apps.slice", "/apps.slice/app-b.scope");
}

Test(target, leaf_whole) {
        expect_target("/system.slice/camera-hal.service", "/system.slice/camera-hal.service");
        expect_target("/user.slice", "/user.slice/user-1000.slice");
}

Test(target, passes_over_never_act_children) {
        /* codec (300M) is protected: the player (30M) is next. */
        expect_target("/media.slice", "/media.slice/player.service");
        /* sshd (protect) and dmabufd (own) pass; camera is the busiest left. */
        expect_target("/system.slice", "/system.slice/camera-hal.service");
}

Test(target, never_act) {
        expect_protected("/", "/", "root cgroup");
        expect_protected("/init.scope", "/init.scope", "init.scope");
        expect_protected("/system.slice/dmabufd.service", "/system.slice/dmabufd.service", "own cgroup");
        expect_protected("/system.slice/sshd.service", "/system.slice/sshd.service", "protect list");
}

Test(target, reasons) {
        cr_assert_str_eq(dbc_never_act_reason(config, self, "/"), "root cgroup");
        cr_assert_str_eq(dbc_never_act_reason(config, self, "/machine.slice/c1.scope/init.scope"), "init.scope");
        cr_assert_str_eq(dbc_never_act_reason(config, self, "/system.slice/dmabufd.service/sub"), "own cgroup");
        cr_assert_null(dbc_never_act_reason(config, self, "/system.slice"), "an ancestor may be descended through");
        cr_assert_str_eq(dbc_never_act_reason(config, self, "/system.slice/sshd.service/x"), "protect list");
        cr_assert_str_eq(dbc_never_act_reason(config, self, "/media.slice/codec.service"), "protect list");
        cr_assert_null(dbc_never_act_reason(config, self, "/media.slice/player.service"));
        cr_assert_null(dbc_never_act_reason(config, NULL, "/system.slice"));
        cr_assert_null(dbc_never_act_reason(NULL, NULL, "/apps.slice"));
}

Test(target, subtree_holding_a_protected_cgroup) {
        char *bad = NULL;
        const char *why = NULL;

        /* Acting on /media.slice as a whole would reach the codec. */
        cr_assert_eq(dbc_subtree_never_act(root, config, NULL, "/media.slice", &bad, &why), 1);
        cr_assert_str_eq(bad, "/media.slice/codec.service");
        cr_assert_str_eq(why, "protect list");
        free(bad);
        cr_assert_eq(dbc_subtree_never_act(root, config, NULL, "/apps.slice", &bad, &why), 0);
        /* Nor a cgroup holding the daemon, whether or not the tree shows it. */
        cr_assert_eq(dbc_subtree_never_act(root, NULL, "/apps.slice/dmabufd.scope", "/apps.slice", &bad, &why), 1);
        cr_assert_str_eq(bad, "/apps.slice/dmabufd.scope");
        cr_assert_str_eq(why, "own cgroup");
        free(bad);
}

Test(target, missing) {
        char *t = NULL;
        const char *why = NULL;

        cr_assert_eq(dbc_target_find(root, config, self, "/nope.slice", &t, &why), -ENOENT);
}

Test(target, procs_and_dmabuf) {
        int fd = dbc_cgroup_open(root, "/apps.slice/app-b.scope");
        uint64_t v = 0;

        cr_assert_geq(fd, 0);
        cr_assert_eq(dbc_cgroup_has_procs(fd), 1);
        cr_assert_eq(dbc_cgroup_read_dmabuf(fd, &v), 0);
        cr_assert_eq(v, 450ULL << 20);
        close(fd);
        fd = dbc_cgroup_open(root, "/apps.slice");
        cr_assert_eq(dbc_cgroup_has_procs(fd), 0);
        close(fd);
}

Test(target, self_cgroup) {
        char dir[] = "/tmp/dbc-proc-XXXXXX", p[128];
        char *s = NULL;
        FILE *f;

        cr_assert_not_null(mkdtemp(dir));
        snprintf(p, sizeof(p), "%s/self", dir);
        cr_assert_eq(mkdir(p, 0755), 0);
        cr_assert_eq(dbc_self_cgroup(dir, &s), -ENOENT);
        snprintf(p, sizeof(p), "%s/self/cgroup", dir);
        f = fopen(p, "we");
        fputs("12:memory:/v1/path\n0::/system.slice/dmabufd.service\n", f);
        fclose(f);
        cr_assert_eq(dbc_self_cgroup(dir, &s), 0);
        cr_assert_str_eq(s, "/system.slice/dmabufd.service");
        free(s);
        f = fopen(p, "we");
        fputs("0::garbage\n", f);
        fclose(f);
        cr_assert_eq(dbc_self_cgroup(dir, &s), -EINVAL);
        f = fopen(p, "we");
        fputs("3:cpu:/x\n", f);
        fclose(f);
        cr_assert_eq(dbc_self_cgroup(dir, &s), -ENOENT, "v1 only");
        char cmd[128];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
        cr_assert_eq(system(cmd), 0);
}
