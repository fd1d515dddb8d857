/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <criterion/criterion.h>
#include <stdio.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dmabufctl/trust.h"

static char dir[64], conf[128], dropins[128], dropin[160], hook[128];

static void touch(const char *p, mode_t mode) {
        FILE *f = fopen(p, "we");

        cr_assert_not_null(f, "%s", p);
        fclose(f);
        cr_assert_eq(chmod(p, mode), 0);
}

static void setup(void) {
        strcpy(dir, "/tmp/dbc-trust-XXXXXX");
        cr_assert_not_null(mkdtemp(dir));
        cr_assert_eq(chmod(dir, 0755), 0);
        snprintf(conf, sizeof(conf), "%s/dmabufctl.conf", dir);
        snprintf(dropins, sizeof(dropins), "%s/policies.d", dir);
        snprintf(dropin, sizeof(dropin), "%s/10-apps.conf", dropins);
        snprintf(hook, sizeof(hook), "%s/alert", dir);
        touch(conf, 0644);
        cr_assert_eq(mkdir(dropins, 0755), 0);
        touch(dropin, 0644);
        touch(hook, 0755);
}

static void teardown(void) {
        char cmd[128];

        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
        cr_assert_eq(system(cmd), 0);
}

TestSuite(trust, .init = setup, .fini = teardown);

static void expect_refused(const char *what_want, const char *why_want) {
        char *what = NULL;
        const char *why = NULL;

        cr_assert_eq(dbc_trust_check_config(conf, NULL, hook, geteuid(), &what, &why), 1);
        cr_assert_str_eq(what, what_want);
        cr_assert_str_eq(why, why_want);
        free(what);
}

Test(trust, all_good) {
        char *what = NULL;
        const char *why = NULL;

        cr_assert_eq(dbc_trust_check_config(conf, NULL, hook, geteuid(), &what, &why), 0);
        cr_assert_eq(dbc_trust_check_config(conf, NULL, NULL, geteuid(), &what, &why), 0);
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
        cr_assert_eq(chmod(hook, 0777), 0);
        expect_refused(hook, "writable by group or others");
}

Test(trust, writable_directory_of_the_config) {
        cr_assert_eq(chmod(dir, 0777), 0);
        expect_refused(dir, "writable by group or others");
        cr_assert_eq(chmod(dir, 01777), 0);     /* sticky, like /tmp */
        char *what = NULL;
        const char *why = NULL;
        cr_assert_eq(dbc_trust_check(conf, geteuid(), &what, &why), 0);
}

Test(trust, not_owned_by_root) {
        if (geteuid() != 0)
                cr_skip_test("needs root to give a file away");
        cr_assert_eq(chown(hook, 65534, 65534), 0);
        expect_refused(hook, "not owned by root");
}

Test(trust, missing) {
        char *what = NULL;
        const char *why = NULL;

        cr_assert_eq(unlink(hook), 0);
        cr_assert_eq(dbc_trust_check_config(conf, NULL, hook, geteuid(), &what, &why), -ENOENT);
        cr_assert_eq(unlink(conf), 0);
        cr_assert_eq(dbc_trust_check_config(conf, NULL, NULL, geteuid(), &what, &why), 0,
                     "a missing main file is no distrust (defaults)");
}

Test(trust, runtime_dropins) {
        char run[160], dropins_run[192], file[224];
        char *what = NULL;
        const char *why = NULL;

        snprintf(run, sizeof(run), "%s/run", dir);
        snprintf(dropins_run, sizeof(dropins_run), "%s/policies.d", run);
        snprintf(file, sizeof(file), "%s/run-camera.conf", dropins_run);
        cr_assert_eq(mkdir(run, 0755), 0);
        cr_assert_eq(dbc_trust_check_config(conf, run, hook, geteuid(), &what, &why), 0, "no policies.d: fine");
        cr_assert_eq(mkdir(dropins_run, 0755), 0);
        touch(file, 0644);
        cr_assert_eq(dbc_trust_check_config(conf, run, hook, geteuid(), &what, &why), 0);
        cr_assert_eq(chmod(file, 0666), 0);
        cr_assert_eq(dbc_trust_check_config(conf, run, hook, geteuid(), &what, &why), 1);
        cr_assert_str_eq(what, file);
        free(what);
}
