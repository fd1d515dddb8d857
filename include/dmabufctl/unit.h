/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <systemd/sd-bus.h>

#include "dmabufctl/config.h"

/* The type suffix of name (".service", ".scope" or ".slice", pointing into
 * name), or NULL for any other. */
const char *dbc_unit_suffix(const char *name);

/* Is name a unit name we accept (*.service, *.scope, *.slice; systemd's
 * characters; instances only for services; a slice name with a leading,
 * trailing or double '-' is not one)? */
bool dbc_unit_name_is_valid(const char *name);

/* systemd's naming of slices, no systemd needed: "-.slice" is "/",
 * "apps.slice" is "/apps.slice", "apps-camera.slice" is
 * "/apps.slice/apps-camera.slice". Escapes (\x2d) are kept as they are in
 * the name, as systemd keeps them in the cgroup path. Returns -EINVAL for a
 * name that is not a valid slice name. */
int dbc_slice_to_cgroup(const char *slice, char **ret);

/* Connect to the system bus when systemd runs as PID 1 (/run/systemd/system
 * exists). Returns 0 and *ret, or -EHOSTDOWN when systemd is not running,
 * or the connection error. */
int dbc_bus_open_system(sd_bus **ret);

/* A unit's cgroup: its ControlGroup property over sd-bus when bus is not
 * NULL, else (slices only) by naming. A slice that systemd does not have
 * loaded (or that has no cgroup yet) also resolves by naming. Returns -ENXIO
 * when a service or scope is not loaded or has no cgroup, -EBADMSG when
 * systemd's answer cannot be the unit's cgroup (not a path in the tree, or
 * its last component is not the unit's name: another unit's, the slice
 * above), -EHOSTDOWN without a bus for a non-slice unit, -EINVAL for an
 * invalid name. */
int dbc_unit_resolve(sd_bus *bus, const char *unit, char **ret);

/* dbc_unit_resolve() without waiting for systemd: the two calls go out
 * with sd_bus_call_method_async() (the bus attached to the caller's event
 * loop), and fn(unit, error, cgroup, userdata) is called once with the
 * answer (error 0 and the cgroup, or dbc_unit_resolve()'s errors; a slice
 * systemd does not know resolves by naming; with -EBADMSG, cgroup is
 * systemd's answer as it came, for saying what it was). fn may free the
 * request.
 * Returns 0 and *ret, or a negative errno (the call could not be sent). */
struct dbc_unit_request;
typedef void (*dbc_unit_resolved_fn)(const char *unit, int error, const char *cgroup, void *userdata);
int dbc_unit_resolve_async(sd_bus *bus, const char *unit, dbc_unit_resolved_fn fn, void *userdata,
                           struct dbc_unit_request **ret);
/* Is its answer still awaited? */
bool dbc_unit_request_running(const struct dbc_unit_request *r);
/* Free a request; one whose answer has not come is cancelled (fn is not
 * called). */
void dbc_unit_request_free(struct dbc_unit_request *r);

/* Is path another policy's than self: a cgroup policy's path (or glob, as
 * written) or another unit's resolved cgroup? A unit whose cgroup is
 * claimed so is not resolved (the check-config rule, for what only systemd
 * could tell). */
bool dbc_config_path_claimed(const struct dbc_config *c, const struct dbc_policy *self, const char *path);

/* Resolve every `unit` policy of c (sets policy->resolved). For each one
 * that cannot be resolved, warn(policy, error, userdata) is called once and
 * the policy is skipped; error is dbc_unit_resolve()'s, or -EEXIST when the
 * unit's cgroup is another policy's. Returns the number of unresolved
 * policies, or -ENOMEM. */
typedef void (*dbc_unit_warn_fn)(const struct dbc_policy *p, int error, void *userdata);
int dbc_config_resolve_units(struct dbc_config *c, sd_bus *bus, dbc_unit_warn_fn warn, void *userdata);
