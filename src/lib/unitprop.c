/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Budgets of systemd units. systemd owns the cgroups of its units and
 * rewrites their files from its own properties (on daemon-reload, on
 * restart), so a unit's budget is changed by asking systemd, never by
 * writing its cgroup's files behind its back.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-bus.h>

#include "dmabufctl/macro.h"
#include "dmabufctl/unit.h"
#include "dmabufctl/unitprop.h"

#include "sdbus-util.h"

const char *dbc_unit_interface(const char *unit) {
        const char *suffix = dbc_unit_suffix(unit);

        if (!suffix)
                return NULL;
        if (streq(suffix, ".service"))
                return "org.freedesktop.systemd1.Service";
        if (streq(suffix, ".scope"))
                return "org.freedesktop.systemd1.Scope";
        return "org.freedesktop.systemd1.Slice";
}

int dbc_bus_error(const sd_bus_error *e, int r, char **ret_error) {
        if (ret_error && sd_bus_error_is_set(e) && e->message)
                *ret_error = strdup(e->message);
        if (sd_bus_error_is_set(e)) {
                if (sd_bus_error_has_names(e, "org.freedesktop.systemd1.NoSuchUnit",
                                           "org.freedesktop.systemd1.LoadFailed"))
                        return -ENXIO;
                if (sd_bus_error_has_names(e, "org.freedesktop.DBus.Error.AccessDenied",
                                           "org.freedesktop.DBus.Error.InteractiveAuthorizationRequired"))
                        return -EACCES;
                return -sd_bus_error_get_errno(e);
        }
        return r < 0 ? r : -EIO;
}

int dbc_unit_object(sd_bus *bus, const char *unit, char **ret_path, char **ret_error) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_free_ char *state = NULL;
        const char *path;
        int r;

        r = sd_bus_call_method(bus, DBC_SD_DEST, DBC_SD_PATH, DBC_SD_MANAGER, "LoadUnit",
                               &error, &reply, "s", unit);
        if (r < 0)
                return dbc_bus_error(&error, r, ret_error);
        r = sd_bus_message_read(reply, "o", &path);
        if (r < 0)
                return r;
        r = sd_bus_get_property_string(bus, DBC_SD_DEST, path, "org.freedesktop.systemd1.Unit",
                                       "LoadState", &error, &state);
        if (r < 0)
                return dbc_bus_error(&error, r, ret_error);
        if (!streq(state, "loaded")) {
                if (ret_error && asprintf(ret_error, "unit %s is %s", unit, state) < 0)
                        *ret_error = NULL;
                return -ENXIO;
        }
        char *p = strdup(path);
        if (!p)
                return -ENOMEM;
        *ret_path = p;
        return 0;
}

static int read_property(sd_bus *bus, const char *unit, const char *object, enum dbc_limit l,
                         uint64_t *ret, char **ret_error) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        const char *iface = dbc_unit_interface(unit);
        uint64_t v;
        int r;

        if (!iface || !dbc_limit_property(l))
                return -EINVAL;
        r = sd_bus_get_property_trivial(bus, DBC_SD_DEST, object, iface, dbc_limit_property(l), &error, 't', &v);
        if (r < 0)
                return dbc_bus_error(&error, r, ret_error);
        *ret = v;       /* systemd's "infinity" is UINT64_MAX, as DBC_SIZE_MAX */
        return 0;
}

int dbc_unit_limit_read(sd_bus *bus, const char *unit, enum dbc_limit l, uint64_t *ret, char **ret_error) {
        _cleanup_free_ char *object = NULL;
        int r;

        if (!dbc_unit_interface(unit))
                return -EINVAL;
        r = dbc_unit_object(bus, unit, &object, ret_error);
        if (r < 0)
                return r;
        return read_property(bus, unit, object, l, ret, ret_error);
}

int dbc_unit_limit_write(sd_bus *bus, const char *unit, enum dbc_limit l, uint64_t value, bool runtime,
                         uint64_t *ret_in_force, char **ret_error) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        _cleanup_free_ char *object = NULL;
        int r;

        if (!dbc_unit_interface(unit) || !dbc_limit_property(l))
                return -EINVAL;
        r = dbc_unit_object(bus, unit, &object, ret_error);
        if (r < 0)
                return r;

        r = sd_bus_message_new_method_call(bus, &m, DBC_SD_DEST, DBC_SD_PATH, DBC_SD_MANAGER, "SetUnitProperties");
        if (r < 0)
                return r;
        r = sd_bus_message_append(m, "sb", unit, (int) runtime);
        if (r < 0)
                return r;
        r = sd_bus_message_append(m, "a(sv)", 1, dbc_limit_property(l), "t", value);
        if (r < 0)
                return r;
        r = sd_bus_call(bus, m, 0, &error, NULL);
        if (r < 0)
                return dbc_bus_error(&error, r, ret_error);

        if (ret_in_force)
                return read_property(bus, unit, object, l, ret_in_force, ret_error);
        return 0;
}

int dbc_unit_signal_main(sd_bus *bus, const char *unit, int signal, char **ret_error) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        int r;

        r = sd_bus_call_method(bus, DBC_SD_DEST, DBC_SD_PATH, DBC_SD_MANAGER, "KillUnit", &error, NULL,
                               "ssi", unit, "main", (int32_t) signal);
        if (r < 0)
                return dbc_bus_error(&error, r, ret_error);
        return 0;
}
