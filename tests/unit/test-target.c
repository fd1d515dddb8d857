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
#include "tree-util.h"

static struct dbc_root *root;
static struct dbc_config *config;
static struct dbc_never_act na;
static const char *self = "/system.slice/dmabufd.service";

static void setup(void) {
        struct dbc_diags diags = {};

        cr_assert_eq(dbc_root_open(SRCDIR "/tests/fixtures/cgroup-daemon", &root), 0);
        cr_assert_eq(dbc_config_load(SRCDIR "/tests/fixtures/daemon.conf", true, &config, &diags), 0);
        cr_assert_eq(dbc_never_act_init(&na, root, config, SRCDIR "/tests/fixtures/proc-daemon"), 0);
        cr_assert_eq(dbc_never_act_hold(&na, root, self, "own cgroup"), 0);
}

static void teardown(void) {
        dbc_config_free(config);
        dbc_root_free(root);
}

TestSuite(target, .init = setup, .fini = teardown);

static void expect_target(const char *policed, const char *want) {
        struct dbc_target t = { .fd = -1 };
        uint64_t id = 0;
        int fd;

        cr_assert_eq(dbc_target_find(root, &na, policed, 0, &t), 0, "%s", policed);
        cr_assert_eq(t.verdict, DBC_TARGET_ACT, "%s: verdict %d (%s)", policed, t.verdict, t.path);
        cr_assert_str_eq(t.path, want, "%s", policed);
        /* The fd kept from the choice is the target's directory. */
        fd = dbc_cgroup_open(root, want);
        cr_assert_geq(fd, 0);
        cr_assert_eq(dbc_cgroup_id(fd, &id), 0);
        cr_assert_eq(t.id, id);
        close(fd);
        cr_assert_eq(dbc_cgroup_id(t.fd, &id), 0);
        cr_assert_eq(t.id, id);
        dbc_target_done(&t);
}

static void expect_verdict(const char *policed, enum dbc_target_verdict v, enum dbc_target_where where,
                           const char *at, const char *reason) {
        struct dbc_target t = { .fd = -1 };

        cr_assert_eq(dbc_target_find(root, &na, policed, 0, &t), 0, "%s", policed);
        cr_assert_eq(t.verdict, v, "%s: verdict %d (%s)", policed, t.verdict, t.path);
        cr_assert_str_eq(t.path, at);
        cr_assert_eq(t.fd, -1, "an fd kept without a target");
        if (v == DBC_TARGET_PROTECTED) {
                cr_assert_eq(t.where, where, "%s", policed);
                cr_assert_str_eq(t.reason, reason);
        }
        dbc_target_done(&t);
}

Test(target, busiest_child_of_a_slice) {
        expect_target("/apps.slice", "/apps.slice/app-b.scope");
}

Test(target, leaf_whole) {
        expect_target("/system.slice/camera-hal.service", "/system.slice/camera-hal.service");
        expect_target("/user.slice", "/user.slice/user-1000.slice");
}

Test(target, busiest_child_protected_never_a_sibling) {
        /* codec (300M) is protected: the player (30M) is a bystander. */
        expect_verdict("/media.slice", DBC_TARGET_PROTECTED, DBC_TARGET_AT_BUSIEST, "/media.slice/codec.service",
                       "protect list");
        /* camera and sshd tie at 300M: the first by name. */
        expect_target("/system.slice", "/system.slice/camera-hal.service");
}

Test(target, never_act) {
        expect_verdict("/", DBC_TARGET_PROTECTED, DBC_TARGET_AT_POLICED, "/", "root cgroup");
        expect_verdict("/init.scope", DBC_TARGET_PROTECTED, DBC_TARGET_AT_POLICED, "/init.scope", "init.scope");
        expect_verdict("/system.slice/dmabufd.service", DBC_TARGET_PROTECTED, DBC_TARGET_AT_POLICED,
                       "/system.slice/dmabufd.service", "own cgroup");
        expect_verdict("/system.slice/sshd.service", DBC_TARGET_PROTECTED, DBC_TARGET_AT_POLICED,
                       "/system.slice/sshd.service", "protect list");
}

Test(target, reasons_by_id) {
        int fd = dbc_cgroup_open(root, "/media.slice/player.service");

        cr_assert_null(dbc_never_act_reason(&na, fd, "/media.slice/player.service"));
        /* A path string names nothing: the player's directory is not
         * dmabufd's cgroup, whatever path it is called by. */
        cr_assert_null(dbc_never_act_reason(&na, fd, "/system.slice/dmabufd.service"));
        cr_assert_str_eq(dbc_never_act_reason(&na, fd, "/system.slice/sshd.service"), "protect list");
        close(fd);
        fd = dbc_cgroup_open(root, "/system.slice/dmabufd.service");
        cr_assert_str_eq(dbc_never_act_reason(&na, fd, "/x"), "own cgroup");
        close(fd);
        fd = dbc_cgroup_open(root, "/system.slice");
        cr_assert_null(dbc_never_act_reason(&na, fd, "/system.slice"), "an ancestor may be descended through");
        close(fd);
}

Test(target, subtree_holding_a_protected_cgroup) {
        int fd = dbc_cgroup_open(root, "/media.slice");
        char *bad = NULL;
        const char *why = NULL;

        /* Acting on /media.slice as a whole would reach the codec. */
        cr_assert_eq(dbc_never_act_subtree(&na, root, fd, "/media.slice", &bad, &why), 1);
        cr_assert_str_eq(bad, "/media.slice/codec.service");
        cr_assert_str_eq(why, "protect list");
        free(bad);
        close(fd);
        fd = dbc_cgroup_open(root, "/apps.slice");
        cr_assert_eq(dbc_never_act_subtree(&na, root, fd, "/apps.slice", &bad, &why), 0);
        close(fd);
        /* Nor a cgroup holding the daemon. */
        fd = dbc_cgroup_open(root, "/system.slice");
        cr_assert_eq(dbc_never_act_subtree(&na, root, fd, "/system.slice", &bad, &why), 1);
        cr_assert_str_eq(bad, "/system.slice/dmabufd.service");
        cr_assert_str_eq(why, "own cgroup");
        free(bad);
        close(fd);
}

Test(target, missing) {
        struct dbc_target t = { .fd = -1 };

        cr_assert_eq(dbc_target_find(root, &na, "/nope.slice", 0, &t), -ENOENT);
}

Test(target, daemon_in_the_root_cgroup_protects_only_the_root) {
        struct dbc_never_act rootself;

        cr_assert_eq(dbc_never_act_init(&rootself, root, config, NULL), 0);
        cr_assert_eq(dbc_never_act_hold(&rootself, root, "/", "own cgroup"), 0);
        cr_assert_eq(rootself.n_held, 0);
        struct dbc_target t = { .fd = -1 };
        cr_assert_eq(dbc_target_find(root, &rootself, "/system.slice/dmabufd.service", 0, &t), 0);
        cr_assert_eq(t.verdict, DBC_TARGET_ACT);
        dbc_target_done(&t);
        cr_assert_eq(dbc_target_find(root, &rootself, "/", 0, &t), 0);
        cr_assert_eq(t.verdict, DBC_TARGET_PROTECTED);
        cr_assert_str_eq(t.reason, "root cgroup");
        dbc_target_done(&t);
}

/* The "attacks" fixture (tests/fixtures/make-attacks.sh). */
static char att[64];
static struct dbc_root *aroot;
static struct dbc_config *aconfig;
static struct dbc_never_act ana;

static void setup_attacks(void) {
        struct dbc_diags diags = {};
        char cmd[256], p[128], proc[128];

        strcpy(att, "/tmp/dbc-attacks-XXXXXX");
        cr_assert_not_null(mkdtemp(att));
        snprintf(cmd, sizeof(cmd), "'%s/tests/fixtures/make-attacks.sh' '%s'", SRCDIR, att);
        cr_assert_eq(system(cmd), 0);
        snprintf(p, sizeof(p), "%s/cgroup", att);
        cr_assert_eq(dbc_root_open(p, &aroot), 0);
        snprintf(p, sizeof(p), "%s/dmabufctl.conf", att);
        cr_assert_eq(dbc_config_load(p, true, &aconfig, &diags), 0);
        snprintf(proc, sizeof(proc), "%s/proc", att);
        cr_assert_eq(dbc_never_act_init(&ana, aroot, aconfig, strdup(proc)), 0);
        cr_assert_eq(dbc_never_act_hold(&ana, aroot, "/system.slice/dmabufd.service", "own cgroup"), 0);
}

static void teardown_attacks(void) {
        char cmd[128];

        dbc_config_free(aconfig);
        dbc_root_free(aroot);
        free((char *) ana.proc_root);
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", att);
        cr_assert_eq(system(cmd), 0);
}

static struct dbc_target afind(const char *policed) {
        struct dbc_target t = { .fd = -1 };

        cr_assert_eq(dbc_target_find(aroot, &ana, policed, 0, &t), 0, "%s", policed);
        return t;
}

Test(attacks, charge_on_the_slice_alerts_only, .init = setup_attacks, .fini = teardown_attacks) {
        /* Every service at 0: nobody to blame, accounts-daemon least of all. */
        struct dbc_target t = afind("/system.slice");

        cr_assert_eq(t.verdict, DBC_TARGET_NO_HOLDER);
        cr_assert_str_eq(t.path, "/system.slice");
        dbc_target_done(&t);
        /* dbus holding 1M of the slice's 300M is no offender either. */
        tree_put(att, "cgroup/system.slice/dbus.service/memory.stat", "anon 4096\ndmabuf 1048576\n");
        t = afind("/system.slice");
        cr_assert_eq(t.verdict, DBC_TARGET_NO_HOLDER, "a bystander holding 1M was chosen: %s", t.path);
        dbc_target_done(&t);
        /* The busiest child is empty (its charge left behind): not its
         * populated 50M sibling. */
        t = afind("/apps.slice");
        cr_assert_eq(t.verdict, DBC_TARGET_NO_HOLDER);
        dbc_target_done(&t);
}

Test(attacks, a_name_shields_nothing, .init = setup_attacks, .fini = teardown_attacks) {
        struct dbc_target t = afind("/user.slice/user-1000.slice");

        cr_assert_eq(t.verdict, DBC_TARGET_ACT, "a user-made init.scope shielded the hog (%s)", t.reason);
        cr_assert_str_eq(t.path, "/user.slice/user-1000.slice/init.scope");
        dbc_target_done(&t);
}

Test(attacks, real_init_scope_and_container_init, .init = setup_attacks, .fini = teardown_attacks) {
        struct dbc_target t = afind("/init.scope");

        cr_assert_eq(t.verdict, DBC_TARGET_PROTECTED);
        cr_assert_str_eq(t.reason, "init.scope");
        dbc_target_done(&t);
        /* The container's init: protected, and never its neighbour. */
        t = afind("/machine.slice");
        cr_assert_eq(t.verdict, DBC_TARGET_PROTECTED);
        cr_assert_eq(t.where, DBC_TARGET_AT_BUSIEST);
        cr_assert_str_eq(t.path, "/machine.slice/c1.scope");
        cr_assert_str_eq(t.reason, "init of a pid namespace");
        dbc_target_done(&t);
}

Test(attacks, journal, .init = setup_attacks, .fini = teardown_attacks) {
        char *j = NULL;
        int fd;

        /* Root's systemd-journal, not the user's process named so. */
        cr_assert_eq(dbc_journal_cgroup(ana.proc_root, &j), 0);
        cr_assert_str_eq(j, "/system.slice/systemd-journald.service");
        cr_assert_eq(dbc_never_act_hold(&ana, aroot, j, "journal"), 0);
        fd = dbc_cgroup_open(aroot, j);
        cr_assert_str_eq(dbc_never_act_reason(&ana, fd, j), "journal");
        close(fd);
        free(j);
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
