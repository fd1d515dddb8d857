/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/* systemd's manager as far as dmabufctl asks it (GetUnit, a unit's
 * ControlGroup), for a fake_bus (fake-bus.h): the units it knows, and a
 * switch that makes it hold every call unanswered, as a hung systemd, until
 * the test has the held calls answered (late) or dropped. The server runs
 * in its own thread: a test changes the held calls through the bus
 * (fake_manager_control()), never directly. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-bus.h>

struct fake_unit {
        const char *name;
        const char *path;               /* its object path */
        const char *interface;          /* org.freedesktop.systemd1.Service, ... */
        const char *cgroup;             /* "" when it has none */
};

struct fake_manager {
        const struct fake_unit *units;  /* may be swapped for others with the same object paths */
        size_t n_units;
        bool hung;                      /* GetUnit is never answered */
        sd_bus_message **held;          /* the calls it holds then, n_held of them */
        size_t n_held;
};

/* GetUnit's answer to m. */
static int fake_manager_reply(struct fake_manager *fm, sd_bus_message *m) {
        const char *name;
        int k;

        k = sd_bus_message_read(m, "s", &name);
        if (k < 0)
                return k;
        for (size_t i = 0; i < fm->n_units; i++)
                if (strcmp(fm->units[i].name, name) == 0)
                        return sd_bus_reply_method_return(m, "o", fm->units[i].path);
        return sd_bus_reply_method_errorf(m, "org.freedesktop.systemd1.NoSuchUnit", "Unit %s not loaded.", name);
}

static int fake_manager_get_unit(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        struct fake_manager *fm = userdata;
        sd_bus_message **l;

        if (!fm->hung)
                return fake_manager_reply(fm, m);
        l = realloc(fm->held, (fm->n_held + 1) * sizeof(*l));
        if (!l)
                return -ENOMEM;
        fm->held = l;
        fm->held[fm->n_held++] = sd_bus_message_ref(m);
        return 1;               /* handled, no reply */
}

static int fake_manager_control_group(sd_bus *bus, const char *path, const char *interface, const char *property,
                                      sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        const struct fake_manager *fm = userdata;

        for (size_t i = 0; i < fm->n_units; i++)
                if (strcmp(fm->units[i].path, path) == 0)
                        return sd_bus_message_append(reply, "s", fm->units[i].cgroup);
        return sd_bus_error_setf(error, SD_BUS_ERROR_UNKNOWN_OBJECT, "No unit at %s.", path);
}

static void fake_manager_drop(struct fake_manager *fm) {
        for (size_t i = 0; i < fm->n_held; i++)
                sd_bus_message_unref(fm->held[i]);
        free(fm->held);
        fm->held = NULL;
        fm->n_held = 0;
}

/* The test's switch, run by the server's thread: "hang", "answer" (the held
 * calls, late, as the units are now; then answer at once), "drop" (the held
 * calls, unanswered: the callers' calls time out), "recover" (drop, then
 * answer at once), "count" (nothing). Returns how many calls it held. */
static int fake_manager_switch(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        struct fake_manager *fm = userdata;
        uint32_t n = (uint32_t) fm->n_held;
        const char *op;
        int k;

        k = sd_bus_message_read(m, "s", &op);
        if (k < 0)
                return k;
        if (strcmp(op, "hang") == 0)
                fm->hung = true;
        else if (strcmp(op, "answer") == 0) {
                fm->hung = false;
                for (size_t i = 0; i < fm->n_held; i++)
                        (void) fake_manager_reply(fm, fm->held[i]);
                fake_manager_drop(fm);
        } else if (strcmp(op, "count") == 0)
                ;
        else if (strcmp(op, "drop") == 0)
                fake_manager_drop(fm);
        else if (strcmp(op, "recover") == 0) {
                fake_manager_drop(fm);
                fm->hung = false;
        } else
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "no switch %s", op);
        return sd_bus_reply_method_return(m, "u", n);
}

static const sd_bus_vtable fake_manager_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_METHOD("GetUnit", "s", "o", fake_manager_get_unit, 0),
        SD_BUS_METHOD("FakeSwitch", "s", "u", fake_manager_switch, 0),
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
                                                       fake_unit_vtable, fm), 0);
}

/* Throw the switch op (see fake_manager_switch()) from the test, over
 * client (waits for the server's thread). Returns how many calls it held. */
static inline unsigned fake_manager_control(sd_bus *client, const char *op) {
        sd_bus_message *reply = NULL;
        uint32_t n = 0;

        cr_assert_geq(sd_bus_call_method(client, NULL, "/org/freedesktop/systemd1", "org.freedesktop.systemd1.Manager",
                                         "FakeSwitch", NULL, &reply, "s", op), 0, "fake manager: %s", op);
        cr_assert_geq(sd_bus_message_read(reply, "u", &n), 0);
        sd_bus_message_unref(reply);
        return n;
}

/* Back to answering, the held calls dropped (once the server's thread has
 * stopped: fake_bus_stop()). */
static inline void fake_manager_reset(struct fake_manager *fm) {
        fake_manager_drop(fm);
        fm->hung = false;
}
