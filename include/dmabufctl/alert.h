/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* What the daemon reports. Each kind has a fixed journal MESSAGE_ID, listed
 * with its text in conf/dmabufctl.catalog. */
enum dbc_event {
        DBC_EVENT_WARN,                 /* dmabuf above dmabuf.warn */
        DBC_EVENT_OVER,                 /* dmabuf above dmabuf.max */
        DBC_EVENT_FREEZE,               /* froze a cgroup */
        DBC_EVENT_KILL,                 /* killed a cgroup */
        DBC_EVENT_MEMORY_MAX,           /* new memory.events "max" */
        DBC_EVENT_OOM_KILL,             /* new memory.events "oom_kill" */
        DBC_EVENT_CONFIG_RELOADED,
        DBC_EVENT_CONFIG_REJECTED,
        _DBC_EVENT_MAX,
};

/* "warn", "over", "freeze", "kill", "max", "oom_kill", "config-reloaded",
 * "config-rejected": the value of DMABUFCTL_EVENT. */
const char *dbc_event_to_string(enum dbc_event e);
/* 32 hex digits. */
const char *dbc_event_message_id(enum dbc_event e);

struct dbc_alert {
        enum dbc_event event;
        const char *cgroup;     /* the policed cgroup; NULL for config events */
        const char *policy;     /* NULL for config events */
        const char *target;     /* what was (or would be) acted on; may be NULL */
        uint64_t dmabuf;        /* bytes */
        uint64_t limit;         /* dmabuf.max (or dmabuf.warn for warn), bytes */
        const char *action;     /* none, alert, freeze, kill, protected */
        uint64_t count;         /* memory.events: how many new events */
        const char *message;    /* one human line */
};

/* Send a to the journal: MESSAGE, MESSAGE_ID, PRIORITY, and the fields
 * CGROUP, POLICY, DMABUF_BYTES, LIMIT_BYTES, ACTION (plus TARGET and
 * DMABUFCTL_EVENT). Returns 0 or a negative errno (-ENOENT, -ECONNREFUSED
 * ...: no journald). */
int dbc_alert_journal(const struct dbc_alert *a, int priority);

/* Start the alert hook: fork, a process group of its own, stdin/stdout/
 * stderr on /dev/null and no other fd, and execve(path) (no shell) with
 * only the DMABUFCTL_* values of a and PATH in the environment. Returns 0
 * and *ret_pid, or a negative errno (the exec failing in the child shows as
 * exit status 127). */
int dbc_hook_spawn(const char *path, const struct dbc_alert *a, pid_t *ret_pid);

/* The fixed PATH of the hook's environment. */
#define DBC_HOOK_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
