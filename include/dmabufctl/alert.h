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

/* The alert hook as loaded: config.h's hook_fd and hook_script, checked by
 * the trust walk when the configuration was loaded. */
struct dbc_hook {
        const char *path;       /* for argv[0] and messages only */
        int fd;                 /* what runs: execveat(fd, "", AT_EMPTY_PATH) */
        bool script;            /* "#!": executed as /proc/self/fd/3, which its
                                 * interpreter reads, so fd 3 stays open */
        bool use_cgroup;        /* run it in a cgroup of its own below ours */
};

/* The hook's environment: envp[0] is PATH=DBC_HOOK_PATH, then the seven
 * DMABUFCTL_* values of a (EVENT, CGROUP, POLICY, DMABUF_BYTES,
 * LIMIT_BYTES, ACTION, TARGET), then NULL. */
#define DBC_HOOK_ENV_N 8
struct dbc_hook_env {
        char *envp[DBC_HOOK_ENV_N + 1];
        char buf[DBC_HOOK_ENV_N][4200];
};
/* Returns 0, or -ENAMETOOLONG for a value that does not fit. */
int dbc_hook_env_fill(struct dbc_hook_env *e, const struct dbc_alert *a);

/* One run of the hook. */
struct dbc_hook_run {
        pid_t pid;
        int pidfd;              /* pidfd_open() of pid, -1 without (Linux < 5.3) */
        int cgroup_fd;          /* its own cgroup, or -1: its process group only */
        char *cgroup;           /* that cgroup's path, for rmdir */
        int cgroup_error;       /* why there is none although use_cgroup (negative errno), else 0 */
};

/* Start the alert hook: fork; with use_cgroup, into a new cgroup below the
 * daemon's own (DIR/dmabufd-hook-PID-N, created here; without one, because
 * there is no cgroup2, it may not be written or it refuses the process,
 * cgroup_error says why and the process group is all there is; the child
 * waits until it is in, so it cannot fork before); a process group of its
 * own;
 * stdin/stdout/stderr on /dev/null and no other fd (but fd 3 for a
 * script); execveat() of hook->fd (a script: execve of
 * /proc/self/fd/3, the same file), no shell, with only the DMABUFCTL_*
 * values of a and PATH in the environment. A hook that forks or calls
 * setsid stays in its cgroup. Returns 0 and *ret, or a negative errno (the
 * exec failing in the child shows as exit status 127). */
int dbc_hook_spawn(const struct dbc_hook *hook, const struct dbc_alert *a, struct dbc_hook_run *ret);

/* Kill the run: cgroup.kill of its cgroup, and always SIGKILL to its main
 * process (through its pidfd) and its process group: a hook that moved
 * itself out of its cgroup is caught all the same. */
void dbc_hook_kill(struct dbc_hook_run *run);

/* Reap the main process, waiting at most timeout_ms for it to end.
 * Returns 0, or -ETIMEDOUT (it is left unreaped). */
int dbc_hook_wait(struct dbc_hook_run *run, unsigned timeout_ms);

/* After the main process was reaped: kill what is left in its cgroup,
 * wait briefly for it to empty, remove it, close the pidfd. Returns 0, or the negative errno
 * of the rmdir (-EBUSY: something would not die). */
int dbc_hook_run_done(struct dbc_hook_run *run);

/* The fixed PATH of the hook's environment. */
#define DBC_HOOK_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
