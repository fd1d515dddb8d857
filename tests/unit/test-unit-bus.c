/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* dbc_unit_resolve() over sd-bus, against a stand-in for systemd's manager
 * (fake-bus.h). */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-bus.h>

#include "dmabufctl/macro.h"
#include "dmabufctl/unit.h"

#include "fake-bus.h"
#include "fake-manager.h"

static const struct fake_unit units[] = {
        { "camera.service", "/org/freedesktop/systemd1/unit/camera_2eservice",
          "org.freedesktop.systemd1.Service", "/system.slice/camera.service" },
        { "run-u7.scope", "/org/freedesktop/systemd1/unit/run_2du7_2escope",
          "org.freedesktop.systemd1.Scope", "/user.slice/user-1000.slice/run-u7.scope" },
        { "idle.service", "/org/freedesktop/systemd1/unit/idle_2eservice",
          "org.freedesktop.systemd1.Service", "" },
        { "apps-x.slice", "/org/freedesktop/systemd1/unit/apps_2dx_2eslice",
          "org.freedesktop.systemd1.Slice", "/apps.slice/apps-x.slice" },
        { "idle.slice", "/org/freedesktop/systemd1/unit/idle_2eslice",
          "org.freedesktop.systemd1.Slice", "" },
        /* systemd's cg_escape(): a name starting with a controller's. */
        { "cpu.service", "/org/freedesktop/systemd1/unit/cpu_2eservice",
          "org.freedesktop.systemd1.Service", "/system.slice/_cpu.service" },
        { "-.slice", "/org/freedesktop/systemd1/unit/_2d_2eslice", "org.freedesktop.systemd1.Slice", "/" },
        /* Answers that cannot be the unit's cgroup (review 12c M1, M2). */
        { "liar.service", "/org/freedesktop/systemd1/unit/liar_2eservice",
          "org.freedesktop.systemd1.Service", "/system.slice" },
        { "era.service", "/org/freedesktop/systemd1/unit/era_2eservice",
          "org.freedesktop.systemd1.Service", "/system.slice/camera.service" },
        { "dots.service", "/org/freedesktop/systemd1/unit/dots_2eservice",
          "org.freedesktop.systemd1.Service", "/system.slice/../system.slice/dots.service" },
        { "rel.service", "/org/freedesktop/systemd1/unit/rel_2eservice",
          "org.freedesktop.systemd1.Service", "system.slice/rel.service" },
        { "root.service", "/org/freedesktop/systemd1/unit/root_2eservice", "org.freedesktop.systemd1.Service", "/" },
};

static struct fake_manager manager = { .units = units, .n_units = ELEMENTSOF(units) };

static struct fake_bus bus;
#define client bus.client

static void add_objects(sd_bus *server) {
        fake_manager_add(server, &manager);
}

static void setup(void) {
        fake_bus_start(&bus, add_objects);
}

static void teardown(void) {
        fake_bus_stop(&bus);
}

TestSuite(unit_bus, .init = setup, .fini = teardown, .timeout = 20);

static void expect_path(const char *unit, const char *want) {
        _cleanup_free_ char *p = NULL;

        cr_assert_eq(dbc_unit_resolve(client, unit, &p), 0, "%s", unit);
        cr_expect_str_eq(p, want, "%s", unit);
}

Test(unit_bus, control_group_of_loaded_units) {
        expect_path("camera.service", "/system.slice/camera.service");
        expect_path("run-u7.scope", "/user.slice/user-1000.slice/run-u7.scope");
        expect_path("apps-x.slice", "/apps.slice/apps-x.slice");
}

Test(unit_bus, not_loaded_or_no_cgroup) {
        char *p = (char *) "untouched";

        cr_expect_eq(dbc_unit_resolve(client, "nope.service", &p), -ENXIO);
        cr_expect_eq(dbc_unit_resolve(client, "idle.service", &p), -ENXIO, "inactive: empty ControlGroup");
        cr_expect_eq(dbc_unit_resolve(client, "bad name.service", &p), -EINVAL);
        cr_expect_str_eq(p, "untouched");
}

Test(unit_bus, escaped_and_root_answers) {
        expect_path("cpu.service", "/system.slice/_cpu.service");
        expect_path("-.slice", "/");
}

/* An answer that is not a cgroup of the unit (the slice above, another
 * unit's, a name that merely ends like it, "..", not absolute, the root)
 * is refused, not used: -EBADMSG. */
Test(unit_bus, answer_not_the_units_refused) {
        static const char *const liars[] = { "liar.service", "era.service", "dots.service", "rel.service",
                                             "root.service" };

        for (size_t i = 0; i < ELEMENTSOF(liars); i++) {
                char *p = (char *) "untouched";

                cr_expect_eq(dbc_unit_resolve(client, liars[i], &p), -EBADMSG, "%s", liars[i]);
                cr_expect_str_eq(p, "untouched", "%s", liars[i]);
        }
}

Test(unit_bus, slices_fall_back_to_naming) {
        expect_path("apps-camera.slice", "/apps.slice/apps-camera.slice");      /* not loaded */
        expect_path("idle.slice", "/idle.slice");                               /* no cgroup yet */
}

static void count(const struct dbc_policy *p, int error, void *userdata) {
        cr_expect_str_eq(p->name, "gone");
        cr_expect_eq(error, -ENXIO);
        (*(int *) userdata)++;
}

Test(unit_bus, resolve_units) {
        struct dbc_policy ps[] = {
                { .name = (char *) "cam", .unit = (char *) "camera.service" },
                { .name = (char *) "gone", .unit = (char *) "gone.service" },
                { .name = (char *) "path", .cgroup = (char *) "/x" },
        };
        struct dbc_config c = { .policies = ps, .n_policies = 3 };
        int warned = 0;

        cr_expect_eq(dbc_config_resolve_units(&c, client, count, &warned), 1);
        cr_expect_eq(warned, 1);
        cr_expect_str_eq(ps[0].resolved, "/system.slice/camera.service");
        cr_expect_null(ps[1].resolved);
        free(ps[0].resolved);
}

/* dbc_unit_resolve_async(): the same answers, through the caller's loop
 * (here sd_bus_process() by hand); a freed request is never answered. */
struct answer {
        int calls;
        int error;
        char *cgroup;
};

static void on_resolved(const char *unit, int error, const char *cgroup, void *userdata) {
        struct answer *a = userdata;

        a->calls++;
        a->error = error;
        a->cgroup = cgroup ? strdup(cgroup) : NULL;
}

static void expect_async(const char *unit, int error, const char *want) {
        struct dbc_unit_request *r = NULL;
        struct answer a = {};

        cr_assert_eq(dbc_unit_resolve_async(client, unit, on_resolved, &a, &r), 0, "%s", unit);
        while (a.calls == 0) {
                int k = sd_bus_process(client, NULL);
                cr_assert_geq(k, 0);
                if (k == 0)
                        cr_assert_geq(sd_bus_wait(client, UINT64_MAX), 0);
        }
        cr_expect_eq(a.calls, 1, "%s", unit);
        cr_expect_not(dbc_unit_request_running(r), "%s", unit);
        cr_expect_eq(a.error, error, "%s: %d", unit, a.error);
        if (want)
                cr_expect_str_eq(a.cgroup, want, "%s", unit);
        else
                cr_expect_null(a.cgroup, "%s", unit);
        free(a.cgroup);
        dbc_unit_request_free(r);
}

Test(unit_bus, async) {
        expect_async("camera.service", 0, "/system.slice/camera.service");
        expect_async("apps-x.slice", 0, "/apps.slice/apps-x.slice");
        expect_async("nope.service", -ENXIO, NULL);
        expect_async("idle.service", -ENXIO, NULL);
        expect_async("apps-camera.slice", 0, "/apps.slice/apps-camera.slice");  /* not loaded: naming */
        expect_async("idle.slice", 0, "/idle.slice");
        expect_async("cpu.service", 0, "/system.slice/_cpu.service");
        /* Refused, with systemd's answer as it came (for saying it). */
        expect_async("liar.service", -EBADMSG, "/system.slice");
        expect_async("dots.service", -EBADMSG, "/system.slice/../system.slice/dots.service");
        expect_async("era.service", -EBADMSG, "/system.slice/camera.service");

        struct dbc_unit_request *r = NULL;
        cr_expect_eq(dbc_unit_resolve_async(client, "bad name.service", on_resolved, NULL, &r), -EINVAL);
        cr_expect_null(r);
}

Test(unit_bus, async_cancelled) {
        struct dbc_unit_request *r = NULL;
        struct answer a = {};

        cr_assert_eq(dbc_unit_resolve_async(client, "camera.service", on_resolved, &a, &r), 0);
        cr_expect(dbc_unit_request_running(r));
        dbc_unit_request_free(r);
        /* The answer arrives and is dropped. */
        for (int i = 0; i < 50; i++) {
                cr_assert_geq(sd_bus_process(client, NULL), 0);
                (void) sd_bus_wait(client, 10000);
        }
        cr_expect_eq(a.calls, 0, "a cancelled request was answered");
}
