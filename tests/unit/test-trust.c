/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dmabufctl/config.h"
#include "dmabufctl/macro.h"
#include "dmabufctl/trust.h"

/* A scratch tree stands in for "/": the walk starts at dir, which the
 * tests own, so they run as any user (the daemon always walks from /). */
static char dir[64], etc[96], conf[128], dropins[128], dropin[160], hook[128];
static struct dbc_trust trust;

static void touch(const char *p, const char *content, mode_t mode) {
        FILE *f = fopen(p, "we");

        cr_assert_not_null(f, "%s", p);
        fputs(content, f);
        fclose(f);
        cr_assert_eq(chmod(p, mode), 0);
}

static void setup(void) {
        strcpy(dir, "/tmp/dbc-trust-XXXXXX");
        cr_assert_not_null(mkdtemp(dir));
        cr_assert_eq(chmod(dir, 0755), 0);
        snprintf(etc, sizeof(etc), "%s/etc", dir);
        snprintf(conf, sizeof(conf), "%s/dmabufctl.conf", etc);
        snprintf(dropins, sizeof(dropins), "%s/policies.d", etc);
        snprintf(dropin, sizeof(dropin), "%s/10-apps.conf", dropins);
        snprintf(hook, sizeof(hook), "%s/alert", etc);
        cr_assert_eq(mkdir(etc, 0755), 0);
        touch(hook, "#!/bin/sh\nexit 0\n", 0755);
        touch(conf, "", 0644);
        cr_assert_eq(chmod(conf, 0644), 0);
        cr_assert_eq(mkdir(dropins, 0755), 0);
        touch(dropin, "[policy:apps]\ncgroup = /apps.slice/*\n", 0644);
        trust = (struct dbc_trust) { .root = dir, .owner = geteuid() };
}

static void teardown(void) {
        char cmd[128];

        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
        cr_assert_eq(system(cmd), 0);
}

TestSuite(trust, .init = setup, .fini = teardown);

static void write_conf(bool with_hook) {
        FILE *f = fopen(conf, "we");

        cr_assert_not_null(f);
        if (with_hook)
                fprintf(f, "[daemon]\nalert-hook = %s\n", hook);
        fclose(f);
}

/* Load conf as dmabufd does, walking from dir. */
static int load(struct dbc_config **ret, struct dbc_diags *d) {
        struct dbc_config_source src = { .path = conf, .must_exist = true, .trust = &trust };

        return dbc_config_load_from(&src, ret, d);
}

static void expect_refused(const char *what_want, const char *why_want) {
        struct dbc_config *c = NULL;
        struct dbc_diags d = {};
        char want[512];

        cr_assert_eq(load(&c, &d), -EINVAL);
        cr_assert_geq(d.n, 1);       /* an ancestor refuses every file below it */
        if (streq(d.items[0].file, what_want))
                snprintf(want, sizeof(want), "refused: %s (dmabufd runs as root and runs what it names)", why_want);
        else
                snprintf(want, sizeof(want), "refused: %s is %s (dmabufd runs as root and runs what it names)",
                         what_want, why_want);
        cr_assert_str_eq(d.items[0].message, want);
        dbc_diags_clear(&d);
}

Test(trust, all_good_and_files_listed) {
        struct dbc_config *c = NULL;
        struct dbc_diags d = {};
        struct stat a, b;

        write_conf(true);
        cr_assert_eq(load(&c, &d), 0);
        cr_assert_eq(c->n_files, 2);
        cr_assert_str_eq(c->files[0], conf);
        cr_assert_str_eq(c->files[1], dropin);
        cr_assert_geq(c->hook_fd, 0);
        cr_assert(c->hook_script);
        cr_assert_eq(fstat(c->hook_fd, &a), 0);
        cr_assert_eq(stat(hook, &b), 0);
        cr_assert_eq(a.st_ino, b.st_ino);
        cr_assert(fcntl(c->hook_fd, F_GETFD) & FD_CLOEXEC);
        dbc_config_free(c);
}

Test(trust, world_writable_config) {
        cr_assert_eq(chmod(conf, 0666), 0);
        expect_refused(conf, "writable by group or others");
}

Test(trust, group_writable_dropin) {
        cr_assert_eq(chmod(dropin, 0664), 0);
        expect_refused(dropin, "writable by group or others");
}

Test(trust, writable_dropin_directory) {
        cr_assert_eq(chmod(dropins, 0777), 0);
        expect_refused(dropins, "writable by group or others");
}

Test(trust, world_writable_hook) {
        write_conf(true);
        cr_assert_eq(chmod(hook, 0777), 0);
        expect_refused(hook, "writable by group or others");
}

Test(trust, hook_not_executable) {
        struct dbc_config *c = NULL;
        struct dbc_diags d = {};

        write_conf(true);
        cr_assert_eq(chmod(hook, 0644), 0);
        cr_assert_eq(load(&c, &d), -EINVAL);
        cr_assert_str_eq(d.items[0].message, "alert-hook is not an executable regular file");
        dbc_diags_clear(&d);
}

/* Every directory from the root of the walk down counts, not only the
 * file's own. */
Test(trust, writable_ancestor) {
        cr_assert_eq(chmod(dir, 0777), 0);
        expect_refused(dir, "writable by group or others");
}

/* A sticky world-writable directory (/tmp) is fine when what lies below
 * it is trusted: nobody else can rename it. */
Test(trust, sticky_directory_with_trusted_entry) {
        struct dbc_config *c = NULL;
        struct dbc_diags d = {};

        cr_assert_eq(chmod(dir, 01777), 0);
        cr_assert_eq(load(&c, &d), 0);
        dbc_config_free(c);
}

Test(trust, sticky_directory_with_foreign_entry) {
        if (geteuid() != 0)
                cr_skip_test("needs root to give a directory away");
        cr_assert_eq(chmod(dir, 01777), 0);
        cr_assert_eq(chown(etc, 65534, 65534), 0);
        expect_refused(etc, "not owned by root");
}

Test(trust, hook_not_owned_by_root) {
        if (geteuid() != 0)
                cr_skip_test("needs root to give a file away");
        write_conf(true);
        cr_assert_eq(chown(hook, 65534, 65534), 0);
        expect_refused(hook, "not owned by root");
}

/* A symlink is never followed: the file, the drop-in directory, the
 * directory above, each in turn. */
Test(trust, symlink_in_every_component) {
        char real[160], link_[160];
        const char *paths[] = { conf, dropins, etc };

        write_conf(false);
        for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
                snprintf(real, sizeof(real), "%s.real", paths[i]);
                snprintf(link_, sizeof(link_), "%s", paths[i]);
                cr_assert_eq(rename(link_, real), 0);
                cr_assert_eq(symlink(real, link_), 0);
                expect_refused(link_, "a symbolic link");
                cr_assert_eq(unlink(link_), 0);
                cr_assert_eq(rename(real, link_), 0);
        }
}

Test(trust, symlinked_dropin_refused_dev_null_mask_allowed) {
        char elsewhere[160], link_[160];
        struct dbc_config *c = NULL;
        struct dbc_diags d = {};

        snprintf(elsewhere, sizeof(elsewhere), "%s/elsewhere.conf", dir);
        snprintf(link_, sizeof(link_), "%s/20-link.conf", dropins);
        touch(elsewhere, "[policy:x]\ncgroup = /x\n", 0644);
        cr_assert_eq(symlink(elsewhere, link_), 0);
        expect_refused(link_, "a symbolic link");
        cr_assert_eq(unlink(link_), 0);

        /* A mask is recognised by readlink, never followed or judged
         * (/dev/null is 0666). */
        cr_assert_eq(unlink(dropin), 0);
        cr_assert_eq(symlink("/dev/null", dropin), 0);
        cr_assert_eq(load(&c, &d), 0);
        cr_assert_eq(c->n_policies, 0);
        cr_assert_eq(c->n_files, 1);
        dbc_config_free(c);
}

/* What was checked is what is parsed and run: swapping the hook after
 * load changes nothing. */
Test(trust, rename_after_load_changes_nothing) {
        char moved[160];
        struct dbc_config *c = NULL;
        struct dbc_diags d = {};
        struct stat before, after;

        write_conf(true);
        cr_assert_eq(load(&c, &d), 0);
        cr_assert_eq(stat(hook, &before), 0);
        snprintf(moved, sizeof(moved), "%s.old", hook);
        cr_assert_eq(rename(hook, moved), 0);
        touch(hook, "#!/bin/sh\necho evil\n", 0755);
        cr_assert_eq(fstat(c->hook_fd, &after), 0);
        cr_assert_eq(after.st_ino, before.st_ino);
        dbc_config_free(c);
}

Test(trust, open_walk_limits) {
        struct dbc_trust_refusal r = {};
        char outside[] = "/etc/hostname", dotdot[160];

        cr_assert_eq(dbc_trust_open(&trust, outside, &r), -EXDEV);
        snprintf(dotdot, sizeof(dotdot), "%s/etc/../etc/dmabufctl.conf", dir);
        cr_assert_eq(dbc_trust_open(&trust, dotdot, &r), -EPERM);
        cr_assert_str_eq(r.why, "a path with \"..\"");
        dbc_trust_refusal_done(&r);
        snprintf(dotdot, sizeof(dotdot), "%s/etc/missing.conf", dir);
        cr_assert_eq(dbc_trust_open(&trust, dotdot, &r), -ENOENT);
}

/* The real walk from /: this checkout's own files are root's when the
 * tests run as root. */
Test(trust, from_the_real_root) {
        struct dbc_trust real = { .root = "/", .owner = geteuid() };
        struct dbc_trust_refusal r = {};
        int fd = dbc_trust_open(&real, "/etc/passwd", &r);

        cr_assert_geq(fd, 0, "%d %s %s", fd, r.what, r.why);
        close(fd);
}
