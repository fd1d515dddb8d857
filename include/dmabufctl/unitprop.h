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

/* The alert hook as a transient service of its own, under systemd: outside
 * dmabufd's sandbox, its processes in its own cgroup, killed whole
 * (KillSignal=SIGKILL, KillMode=control-group) at RuntimeMaxSec=. */
struct dbc_hook;
struct dbc_alert;
struct dbc_hook_unit;
typedef void (*dbc_hook_unit_done_fn)(struct dbc_hook_unit *u, void *userdata);

struct dbc_hook_unit {
        char *name;                     /* dmabufd-hook-...service */
        int fd;                         /* our own dup of the hook's fd, what ExecStart names */
        sd_bus_slot *call, *match;
        /* Once done: error < 0 when systemd refused to start it (its
         * message in error_message), else what the unit's properties said
         * as it became inactive. */
        int error;
        char *error_message;
        char *result;                   /* Result: "success", "exit-code", "signal", "timeout" ... */
        int32_t code;                   /* ExecMainCode: CLD_EXITED, CLD_KILLED, CLD_DUMPED (0: none) */
        int32_t status;                 /* ExecMainStatus: exit status or signal number */
        bool seen_active;
        bool ended;
        dbc_hook_unit_done_fn done;
        void *userdata;
};

/* The StartTransientUnit call for the hook: unit name, Type=exec,
 * ExecStart=/proc/SELF/fd/FD (fd: an fd of this process on the checked
 * file; the magic link resolves to that inode whatever was renamed since,
 * and a "#!" script's interpreter opens the same name; argv[0] is
 * hook->path), Environment= exactly the DMABUFCTL_* values of a,
 * RuntimeMaxUSec=limit_usec, KillMode=control-group, KillSignal=SIGKILL,
 * CollectMode=inactive-or-failed, and no sandboxing. */
int dbc_hook_unit_message(sd_bus *bus, const char *name, const struct dbc_hook *hook, int fd, pid_t self,
                          const struct dbc_alert *a, uint64_t limit_usec, sd_bus_message **ret);

/* Start it without waiting (bus attached to an event loop): *u filled,
 * u->done(u, userdata) called once, from the loop, when systemd refused the
 * start or the unit became inactive (or failed) after running. Returns 0 or
 * a negative errno (nothing was sent; u holds nothing). */
int dbc_hook_unit_start(sd_bus *bus, struct dbc_hook_unit *u, const char *name, const struct dbc_hook *hook,
                        const struct dbc_alert *a, uint64_t limit_usec, dbc_hook_unit_done_fn done,
                        void *userdata);

/* KillUnit(name, "all", SIGKILL) without waiting. */
int dbc_hook_unit_kill(sd_bus *bus, const struct dbc_hook_unit *u);

/* Drop the calls and the match in flight, close the fd, free the strings. */
void dbc_hook_unit_release(struct dbc_hook_unit *u);
