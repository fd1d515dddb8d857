/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/* systemd's manager as far as dmabufctl asks it (GetUnit, a unit's
 * ControlGroup), for a fake_bus (fake-bus.h): the units it knows, and a
 * switch that makes it never answer, as a hung systemd. */
#include <criterion/criterion.h>
#include <stdbool.h>
#include <string.h>
#include <systemd/sd-bus.h>

struct fake_unit {
        const char *name;
        const char *path;               /* its object path */
        const char *interface;          /* org.freedesktop.systemd1.Service, ... */
        const char *cgroup;             /* "" when it has none */
};

struct fake_manager {
        const struct fake_unit *units;
        size_t n_units;
        bool hung;                      /* GetUnit is never answered */
        sd_bus_message *held;           /* the call it holds then */
};

static int fake_manager_get_unit(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        struct fake_manager *fm = userdata;
        const char *name;
        int k;

        if (fm->hung) {
                fm->held = sd_bus_message_ref(m);
                return 1;               /* handled, no reply */
        }
        k = sd_bus_message_read(m, "s", &name);
        if (k < 0)
                return k;
        for (size_t i = 0; i < fm->n_units; i++)
                if (strcmp(fm->units[i].name, name) == 0)
                        return sd_bus_reply_method_return(m, "o", fm->units[i].path);
        return sd_bus_error_setf(error, "org.freedesktop.systemd1.NoSuchUnit", "Unit %s not loaded.", name);
}

static int fake_manager_control_group(sd_bus *bus, const char *path, const char *interface, const char *property,
                                      sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        const struct fake_unit *u = userdata;

        return sd_bus_message_append(reply, "s", u->cgroup);
}

static const sd_bus_vtable fake_manager_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_METHOD("GetUnit", "s", "o", fake_manager_get_unit, 0),
        SD_BUS_VTABLE_END,
};

static const sd_bus_vtable fake_unit_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_PROPERTY("ControlGroup", "s", fake_manager_control_group, 0, 0),
        SD_BUS_VTABLE_END,
};

/* Its objects on server, from the add_objects callback of fake_bus_start(). */
static inline void fake_manager_add(sd_bus *server, struct fake_manager *fm) {
        cr_assert_geq(sd_bus_add_object_vtable(server, NULL, "/org/freedesktop/systemd1",
                                               "org.freedesktop.systemd1.Manager", fake_manager_vtable, fm), 0);
        for (size_t i = 0; i < fm->n_units; i++)
                cr_assert_geq(sd_bus_add_object_vtable(server, NULL, fm->units[i].path, fm->units[i].interface,
                                                       fake_unit_vtable, (void *) &fm->units[i]), 0);
}

/* Back to answering, the held call dropped. */
static inline void fake_manager_reset(struct fake_manager *fm) {
        fm->held = sd_bus_message_unref(fm->held);
        fm->hung = false;
}
