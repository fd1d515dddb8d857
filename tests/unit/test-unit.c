/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-daemon.h>

#include "dmabufctl/config.h"
#include "dmabufctl/macro.h"
#include "dmabufctl/unit.h"

Test(unit, name_is_valid) {
        const char *good[] = {
                "camera-hal.service", "apps.slice", "-.slice", "apps-camera.slice",
                "run-u42.scope", "getty@tty1.service", "foo\\x2dbar.service", "a:b_c.d.scope",
        };
        const char *bad[] = {
                "", "camera", ".service", ".slice", "a.socket", "a b.service", "a/b.service",
                "getty@.service", "@x.service", "a@b.slice", "a@b.scope", "-a.slice", "a-.slice",
                "a--b.slice", "caf\xc3\xa9.service",
        };
        char longname[300];

        for (size_t i = 0; i < ELEMENTSOF(good); i++)
                cr_expect(dbc_unit_name_is_valid(good[i]), "%s", good[i]);
        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                cr_expect_not(dbc_unit_name_is_valid(bad[i]), "%s", bad[i]);
        cr_expect_not(dbc_unit_name_is_valid(NULL));
        memset(longname, 'a', 250);
        strcpy(longname + 250, ".service");
        cr_expect_not(dbc_unit_name_is_valid(longname), "longer than 255");
        strcpy(longname + 240, ".service");
        cr_expect(dbc_unit_name_is_valid(longname));
}

static void expect_slice(const char *slice, const char *path) {
        char *p = NULL;

        cr_assert_eq(dbc_slice_to_cgroup(slice, &p), 0, "%s", slice);
        cr_expect_str_eq(p, path, "%s", slice);
        free(p);
}

Test(unit, slice_naming) {
        expect_slice("-.slice", "/");
        expect_slice("apps.slice", "/apps.slice");
        expect_slice("apps-camera.slice", "/apps.slice/apps-camera.slice");
        expect_slice("a-b-c.slice", "/a.slice/a-b.slice/a-b-c.slice");
        expect_slice("user-1000.slice", "/user.slice/user-1000.slice");
        expect_slice("system-getty.slice", "/system.slice/system-getty.slice");
}

Test(unit, slice_naming_keeps_escapes) {
        /* "\x2d" is an escaped '-': part of the name, not a parent. */
        expect_slice("foo\\x2dbar.slice", "/foo\\x2dbar.slice");
        expect_slice("apps-foo\\x2dbar.slice", "/apps.slice/apps-foo\\x2dbar.slice");
        expect_slice("a\\x2db-c.slice", "/a\\x2db.slice/a\\x2db-c.slice");
}

Test(unit, slice_naming_escapes_kernel_names) {
        /* systemd's cg_escape(): names that could be kernel files get '_'. */
        expect_slice("cpu.slice", "/_cpu.slice");
        expect_slice("memory-x.slice", "/_memory.slice/memory-x.slice");
        expect_slice("_hidden.slice", "/__hidden.slice");
        expect_slice("cpus.slice", "/cpus.slice");
}

Test(unit, slice_naming_invalid) {
        const char *bad[] = {
                "", ".slice", "-a.slice", "a-.slice", "a--b.slice", "--.slice", "a.service",
                "a b.slice", "a/b.slice", "apps.slice/x.slice",
        };
        char *p = (char *) "untouched";

        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                cr_expect_eq(dbc_slice_to_cgroup(bad[i], &p), -EINVAL, "%s", bad[i]);
                cr_expect_str_eq(p, "untouched");
        }
}

Test(unit, resolve_without_bus) {
        char *p = NULL;

        cr_assert_eq(dbc_unit_resolve(NULL, "apps-camera.slice", &p), 0);
        cr_expect_str_eq(p, "/apps.slice/apps-camera.slice");
        free(p);
        p = (char *) "untouched";
        cr_expect_eq(dbc_unit_resolve(NULL, "camera.service", &p), -EHOSTDOWN);
        cr_expect_eq(dbc_unit_resolve(NULL, "run-1.scope", &p), -EHOSTDOWN);
        cr_expect_eq(dbc_unit_resolve(NULL, "nonsense", &p), -EINVAL);
        cr_expect_str_eq(p, "untouched");
}

static void count_warn(const struct dbc_policy *p, int error, void *userdata) {
        int *n = userdata;

        cr_expect_str_eq(p->name, "cam");
        cr_expect_eq(error, -EHOSTDOWN);
        (*n)++;
}

Test(unit, resolve_units_without_bus) {
        struct dbc_policy ps[] = {
                { .name = strdup("cam"), .unit = strdup("camera.service") },
                { .name = strdup("apps"), .unit = strdup("apps-x.slice") },
                { .name = strdup("path"), .cgroup = strdup("/a") },
        };
        struct dbc_config c = { .policies = ps, .n_policies = 3 };
        int warned = 0;

        cr_expect_eq(dbc_config_resolve_units(&c, NULL, count_warn, &warned), 1);
        cr_expect_eq(warned, 1, "said once");
        cr_expect_null(ps[0].resolved);
        cr_expect_str_eq(ps[1].resolved, "/apps.slice/apps-x.slice");
        cr_expect_null(ps[2].resolved);
        cr_expect_eq(dbc_config_resolve_units(&c, NULL, NULL, NULL), 1, "again, without a callback");
        for (size_t i = 0; i < 3; i++) {
                free(ps[i].name);
                free(ps[i].unit);
                free(ps[i].cgroup);
                free(ps[i].resolved);
        }
}

static void expect_eexist(const struct dbc_policy *p, int error, void *userdata) {
        cr_expect_str_eq(p->name, "late");
        cr_expect_eq(error, -EEXIST);
        (*(int *) userdata)++;
}

Test(unit, resolved_cgroup_claimed_twice) {
        struct dbc_policy ps[] = {
                { .name = (char *) "path", .cgroup = (char *) "/apps.slice" },
                { .name = (char *) "late", .unit = (char *) "apps.slice" },
                { .name = (char *) "other", .unit = (char *) "other.slice" },
        };
        struct dbc_config c = { .policies = ps, .n_policies = 3 };
        int warned = 0;

        cr_expect_eq(dbc_config_resolve_units(&c, NULL, expect_eexist, &warned), 1);
        cr_expect_eq(warned, 1);
        cr_expect_null(ps[1].resolved);
        cr_expect_str_eq(ps[2].resolved, "/other.slice");
        free(ps[2].resolved);
}

Test(unit, bus_needs_systemd) {
        sd_bus *bus = NULL;
        int k = dbc_bus_open_system(&bus);

        if (sd_booted() > 0) {
                if (k == 0)
                        sd_bus_flush_close_unref(bus);
                cr_skip_test("systemd is PID 1 here: the sd-bus path runs in the VM tests");
        }
        cr_expect_eq(k, -EHOSTDOWN);
        cr_expect_null(bus);
}
