/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-bus.h>

#include "dmabufctl/limits.h"

/* Budgets of systemd units, through systemd's manager over sd-bus. Values
 * are bytes, DBC_SIZE_MAX for "infinity". Errors of all of these: -ENXIO the
 * unit is not loaded (no such unit file, or not running for a scope),
 * -EACCES / -EPERM refused by systemd (polkit), -EINVAL a unit name or value
 * systemd refuses, -ETIMEDOUT, or the bus error's errno. When ret_error is
 * not NULL it receives systemd's own message on failure (free() it). */

/* The unit's MemoryMax / MemoryHigh property: what systemd has in force. */
int dbc_unit_limit_read(sd_bus *bus, const char *unit, enum dbc_limit l, uint64_t *ret, char **ret_error);

/* SetUnitProperties(unit, runtime, [(MemoryMax|MemoryHigh, value)]) and read
 * the property back into *ret_in_force (when not NULL). runtime: a drop-in
 * under /run/systemd/system.control (gone at reboot) rather than
 * /etc/systemd/system.control. */
int dbc_unit_limit_write(sd_bus *bus, const char *unit, enum dbc_limit l, uint64_t value, bool runtime,
                         uint64_t *ret_in_force, char **ret_error);

/* A transient scope for `dmabufctl run`: StartTransientUnit(name, "fail")
 * holding pid, in slice, with MemoryMax = memory_max (DBC_SIZE_MAX: none),
 * collected when it ends even after a failure (an OOM kill). Waits for the
 * job's JobRemoved signal (up to timeout_ms) and returns 0 when its result
 * is "done", -EIO otherwise (*ret_error says the result). */
int dbc_scope_start(sd_bus *bus, const char *name, const char *slice, const char *description,
                    pid_t pid, uint64_t memory_max, unsigned timeout_ms, char **ret_error);

/* StopUnit(name, "replace") without waiting: what is left in a scope after
 * its main process ended is stopped (killed). A unit that is gone already
 * is no error. */
int dbc_scope_stop(sd_bus *bus, const char *name, char **ret_error);

/* KillUnit(unit, "main", signal): signal a unit's main process, for example
 * SIGHUP to dmabufd.service so it reloads. -ENXIO when the unit is not
 * loaded, -ESRCH when it has no main process. */
int dbc_unit_signal_main(sd_bus *bus, const char *unit, int signal, char **ret_error);
