/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-daemon.h>

#include "dmabufctl/cgroup.h"
#include "dmabufctl/macro.h"
#include "dmabufctl/unit.h"
#include "sdbus-util.h"


int dbc_bus_open_system(sd_bus **ret) {
        sd_bus *bus = NULL;
        int k;

        /* sd_booted(): /run/systemd/system exists, so systemd is PID 1. */
        if (sd_booted() <= 0)
                return -EHOSTDOWN;
        k = sd_bus_open_system(&bus);
        if (k < 0)
                return k;
        *ret = bus;
        return 0;
}

static bool is_slice(const char *unit) {
        const char *suffix = dbc_unit_suffix(unit);

        return suffix && streq(suffix, ".slice");
}

/* systemd's ControlGroup answer for unit, normalized into *ret, if it can
 * be the unit's own cgroup: an absolute path in the tree whose last
 * component is the unit's name (as systemd escapes it: a leading "_" for
 * names that could clash with the kernel's files), or "/" for the root
 * slice. -EBADMSG for anything else (a path with "..", another unit's, the
 * slice above). */
static int answer_to_cgroup(const char *unit, const char *cg, char **ret) {
        _cleanup_free_ char *path = NULL;
        const char *last;
        int k;

        if (cg[0] != '/')
                return -EBADMSG;
        k = dbc_cgroup_path_normalize(cg, &path);
        if (k < 0)
                return k == -ENOMEM ? k : -EBADMSG;
        last = strrchr(path, '/') + 1;
        if (streq(unit, "-.slice") ? !streq(path, "/") : !streq(last, unit) && !(last[0] == '_' && streq(last + 1, unit)))
                return -EBADMSG;
        *ret = TAKE_PTR(path);
        return 0;
}

/* ControlGroup of a loaded unit: 0 and *ret, -ENXIO when systemd does not
 * know the unit or it has no cgroup (inactive), -EBADMSG when its answer is
 * not a cgroup of the unit (answer_to_cgroup()), or a bus error. */
static int bus_control_group(sd_bus *bus, const char *unit, char **ret) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_free_ char *cg = NULL;
        const char *path;
        int k;

        k = sd_bus_call_method(bus, DBC_SD_DEST, DBC_SD_PATH, DBC_SD_MANAGER, "GetUnit",
                               &error, &reply, "s", unit);
        if (k < 0)
                return dbc_bus_error(&error, k, NULL);
        k = sd_bus_message_read(reply, "o", &path);
        if (k < 0)
                return k;
        k = sd_bus_get_property_string(bus, DBC_SD_DEST, path, dbc_unit_interface(unit), "ControlGroup",
                                       &error, &cg);
        if (k < 0)
                return sd_bus_error_has_name(&error, SD_BUS_ERROR_UNKNOWN_OBJECT) ? -ENXIO : dbc_bus_error(&error, k, NULL);
        if (!cg[0])
                return -ENXIO;
        return answer_to_cgroup(unit, cg, ret);
}

int dbc_unit_resolve(sd_bus *bus, const char *unit, char **ret) {
        int k;

        if (!dbc_unit_name_is_valid(unit))
                return -EINVAL;
        if (bus) {
                k = bus_control_group(bus, unit, ret);
                /* A slice that is not loaded (or inactive) still has one
                 * place its cgroup will be: systemd's naming. */
                if (k != -ENXIO || !is_slice(unit))
                        return k;
        } else if (!is_slice(unit))
                return -EHOSTDOWN;
        return dbc_slice_to_cgroup(unit, ret);
}

struct dbc_unit_request {
        sd_bus *bus;
        sd_bus_slot *slot;              /* the call in flight; NULL once answered */
        char *unit;
        dbc_unit_resolved_fn fn;
        void *userdata;
};

/* The answer: the slice fallback as dbc_unit_resolve() has it, then fn
 * (with systemd's answer as it came when it is not the unit's). */
static void request_done(struct dbc_unit_request *r, int k, const char *cg) {
        _cleanup_free_ char *path = NULL;

        r->slot = sd_bus_slot_unref(r->slot);
        if (k >= 0)
                k = answer_to_cgroup(r->unit, cg, &path);
        else if (k == -ENXIO && is_slice(r->unit))
                k = dbc_slice_to_cgroup(r->unit, &path);
        r->fn(r->unit, k < 0 ? k : 0, k == -EBADMSG ? cg : path, r->userdata);     /* may free r */
}

static int on_control_group(sd_bus_message *m, void *userdata, sd_bus_error *unused) {
        struct dbc_unit_request *r = userdata;
        const sd_bus_error *e = sd_bus_message_get_error(m);
        const char *cg = NULL;
        int k;

        if (e)
                k = sd_bus_error_has_name(e, SD_BUS_ERROR_UNKNOWN_OBJECT) ? -ENXIO : dbc_bus_error(e, -EIO, NULL);
        else
                k = sd_bus_message_read(m, "v", "s", &cg);
        if (k >= 0 && (!cg || !cg[0]))
                k = -ENXIO;
        request_done(r, k, cg);
        return 0;
}

static int on_get_unit(sd_bus_message *m, void *userdata, sd_bus_error *unused) {
        struct dbc_unit_request *r = userdata;
        const sd_bus_error *e = sd_bus_message_get_error(m);
        const char *path;
        int k;

        if (e) {
                request_done(r, dbc_bus_error(e, -EIO, NULL), NULL);
                return 0;
        }
        k = sd_bus_message_read(m, "o", &path);
        if (k >= 0) {
                r->slot = sd_bus_slot_unref(r->slot);
                k = sd_bus_call_method_async(r->bus, &r->slot, DBC_SD_DEST, path, "org.freedesktop.DBus.Properties",
                                             "Get", on_control_group, r, "ss", dbc_unit_interface(r->unit),
                                             "ControlGroup");
        }
        if (k < 0)
                request_done(r, k, NULL);
        return 0;
}

int dbc_unit_resolve_async(sd_bus *bus, const char *unit, dbc_unit_resolved_fn fn, void *userdata,
                           struct dbc_unit_request **ret) {
        struct dbc_unit_request *r;
        int k;

        if (!dbc_unit_name_is_valid(unit))
                return -EINVAL;
        r = calloc(1, sizeof(*r));
        if (!r)
                return -ENOMEM;
        *r = (struct dbc_unit_request) { .bus = bus, .fn = fn, .userdata = userdata, .unit = strdup(unit) };
        if (!r->unit) {
                free(r);
                return -ENOMEM;
        }
        k = sd_bus_call_method_async(bus, &r->slot, DBC_SD_DEST, DBC_SD_PATH, DBC_SD_MANAGER, "GetUnit",
                                     on_get_unit, r, "s", unit);
        if (k < 0) {
                dbc_unit_request_free(r);
                return k;
        }
        *ret = r;
        return 0;
}

bool dbc_unit_request_running(const struct dbc_unit_request *r) {
        return r && r->slot;
}

void dbc_unit_request_free(struct dbc_unit_request *r) {
        if (!r)
                return;
        sd_bus_slot_unref(r->slot);     /* a call in flight: its answer is dropped */
        free(r->unit);
        free(r);
}

bool dbc_config_path_claimed(const struct dbc_config *c, const struct dbc_policy *self, const char *path) {
        for (size_t i = 0; i < c->n_policies; i++) {
                const struct dbc_policy *o = &c->policies[i];

                if (o == self)
                        continue;
                if ((o->cgroup && streq(o->cgroup, path)) || (o->resolved && streq(o->resolved, path)))
                        return true;
        }
        return false;
}

int dbc_config_resolve_units(struct dbc_config *c, sd_bus *bus, dbc_unit_warn_fn warn, void *userdata) {
        int n = 0;

        for (size_t i = 0; i < c->n_policies; i++) {
                struct dbc_policy *p = &c->policies[i];
                char *path;
                int k;

                if (!p->unit)
                        continue;
                free(p->resolved);
                p->resolved = NULL;
                k = dbc_unit_resolve(bus, p->unit, &path);
                if (k == -ENOMEM)
                        return k;
                /* The check-config rule, for what only systemd could tell. */
                if (k >= 0 && dbc_config_path_claimed(c, p, path)) {
                        free(path);
                        k = -EEXIST;
                }
                if (k < 0) {
                        if (warn)
                                warn(p, k, userdata);
                        n++;
                        continue;
                }
                p->resolved = path;
        }
        return n;
}
