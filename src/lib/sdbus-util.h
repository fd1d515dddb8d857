/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Internal to the library: what unitprop.c and scope.c share. */

#include <systemd/sd-bus.h>

#define DBC_SD_DEST    "org.freedesktop.systemd1"
#define DBC_SD_PATH    "/org/freedesktop/systemd1"
#define DBC_SD_MANAGER "org.freedesktop.systemd1.Manager"

/* The D-Bus interface of a unit's type (org.freedesktop.systemd1.Service,
 * .Scope, .Slice), or NULL for a name of another type. */
const char *dbc_unit_interface(const char *unit);

/* The errno of a failed call (error e set, or r): NoSuchUnit / LoadFailed
 * as -ENXIO, AccessDenied as -EACCES. Copies e's message to *ret_error. */
int dbc_bus_error(const sd_bus_error *e, int r, char **ret_error);

/* LoadUnit(unit) and check its LoadState is "loaded" (-ENXIO otherwise).
 * *ret_path: its object path. */
int dbc_unit_object(sd_bus *bus, const char *unit, char **ret_path, char **ret_error);

/* StartTransientUnit(name, "fail", ...): the call with its first two
 * arguments, for the caller to append the a(sv) of properties, then
 * dbc_transient_unit_end() (no auxiliary units). */
int dbc_transient_unit_new(sd_bus *bus, const char *name, sd_bus_message **ret);
int dbc_transient_unit_end(sd_bus_message *m);
