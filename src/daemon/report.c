/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <syslog.h>
#include <unistd.h>

#include "dmabufctl/alert.h"
#include "dmabufctl/unit.h"
#include "dmabufctl/unitprop.h"
#include "dmabufd.h"

_printf_(3, 0) static void vlog(struct daemon *d, int level, const char *fmt, va_list ap) {
        char line[4096];
        int n, k;

        /* Under systemd stderr is a journal stream that reads <N>. One
         * write per line (stderr is unbuffered): a line is never torn and
         * costs one system call. */
        if (d && d->journal)
                n = snprintf(line, sizeof(line), "<%d>", level);
        else
                n = snprintf(line, sizeof(line), "dmabufd: ");
        k = vsnprintf(line + n, sizeof(line) - (size_t) n - 1, fmt, ap);
        if (k < 0)
                return;
        n += k;
        if ((size_t) n > sizeof(line) - 2)
                n = (int) sizeof(line) - 2;     /* cut: 4 KiB is plenty for one line */
        line[n++] = '\n';
        fwrite(line, 1, (size_t) n, stderr);
}

void log_info(struct daemon *d, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        vlog(d, LOG_INFO, fmt, ap);
        va_end(ap);
}

void log_warn(struct daemon *d, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        vlog(d, LOG_WARNING, fmt, ap);
        va_end(ap);
}

void log_err(struct daemon *d, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        vlog(d, LOG_ERR, fmt, ap);
        va_end(ap);
}

struct hook_run {
        struct daemon *d;
        char *hook;                     /* its path, for messages */
        char *event;
        bool is_unit;                   /* a transient unit (unit), else our child (run) */
        struct dbc_hook_run run;
        struct dbc_hook_unit unit;
        sd_event_source *child;
        sd_event_source *timer;
        bool timed_out;
        /* The alert, for running it by fork when systemd refuses the unit. */
        struct dbc_alert alert;
        char *cgroup, *policy, *target, *action;
        struct hook_run *next;
};

static void hook_unlink(struct hook_run *h) {
        struct daemon *d = h->d;

        for (struct hook_run **p = &d->hooks; *p; p = &(*p)->next)
                if (*p == h) {
                        *p = h->next;
                        d->n_hooks--;
                        break;
                }
        h->next = NULL;
}

static void hook_free(struct hook_run *h) {
        struct daemon *d = h->d;

        hook_unlink(h);
        if (h->is_unit)
                dbc_hook_unit_release(&h->unit);
        else if (dbc_hook_run_done(&h->run) < 0)
                log_warn(d, "alert hook (%s): its cgroup could not be removed: something in it would not die",
                         h->event);
        sd_event_source_disable_unref(h->child);
        sd_event_source_disable_unref(h->timer);
        free(h->hook);
        free(h->event);
        free(h->cgroup);
        free(h->policy);
        free(h->target);
        free(h->action);
        free(h);
}

static int hook_exited(sd_event_source *s, const siginfo_t *si, void *userdata) {
        struct hook_run *h = userdata;
        struct daemon *d = h->d;

        if (si->si_code == CLD_EXITED && si->si_status == 0)
                log_info(d, "alert hook %s (%s) exited with status 0", h->hook, h->event);
        else if (si->si_code == CLD_EXITED)
                log_warn(d, "alert hook %s (%s) exited with status %d%s", h->hook, h->event, si->si_status,
                         si->si_status == 127 ? " (could not be executed?)" : "");
        else
                log_warn(d, "alert hook %s (%s) %s by signal %s", h->hook, h->event,
                         h->timed_out ? "killed at its time limit" : "killed", strsignal(si->si_status));
        hook_free(h);
        return 0;
}

static int hook_timeout(sd_event_source *s, uint64_t usec, void *userdata) {
        struct hook_run *h = userdata;

        h->timed_out = true;
        if (h->is_unit) {
                /* systemd kills it at RuntimeMaxSec=; this is the net below
                 * that, for a unit whose end we never heard of. */
                log_warn(h->d, "alert hook %s (%s): unit %s not seen ending %ums after its time limit: "
                         "killing it and no longer waiting for it", h->hook, h->event, h->unit.name,
                         HOOK_UNIT_SLACK_MS);
                (void) dbc_hook_unit_kill(h->d->bus, &h->unit);
                hook_free(h);
                return 0;
        }
        log_warn(h->d, "alert hook %s (%s) still runs after %ums: killing it with its %s", h->hook, h->event,
                 HOOK_TIMEOUT_MS, h->run.cgroup_fd >= 0 ? "cgroup" : "process group");
        dbc_hook_kill(&h->run);
        return 0;
}

/* Our own child in a cgroup of its own below ours. Frees h on failure. */
static void hook_fork(struct daemon *d, struct hook_run *h) {
        const struct dbc_hook spec = {
                .path = h->hook, .fd = d->config->hook_fd, .script = d->config->hook_script, .use_cgroup = true,
        };
        int k;

        h->is_unit = false;
        h->run = (struct dbc_hook_run) { .pidfd = -1, .cgroup_fd = -1 };
        k = dbc_hook_spawn(&spec, &h->alert, &h->run);
        if (k == 0 && h->run.cgroup_error < 0 && !d->hook_cgroup_warned) {
                d->hook_cgroup_warned = true;
                log_warn(d, "alert hook %s: no cgroup of its own (%s): a hook that calls setsid may outlive "
                         "its time limit", h->hook, strerror(-h->run.cgroup_error));
        }
        if (k < 0) {
                log_err(d, "cannot start alert hook %s: %s", h->hook, strerror(-k));
                hook_free(h);
                return;
        }
        k = sd_event_add_child(d->event, &h->child, h->run.pid, WEXITED, hook_exited, h);
        if (k >= 0)
                k = sd_event_add_time_relative(d->event, &h->timer, CLOCK_MONOTONIC,
                                               (uint64_t) HOOK_TIMEOUT_MS * 1000, 0, hook_timeout, h);
        if (k < 0) {
                log_err(d, "cannot watch alert hook %s: %s", h->hook, strerror(-k));
                dbc_hook_kill(&h->run);
                (void) dbc_hook_wait(&h->run, HOOK_REAP_MS);
                hook_free(h);
        }
}

/* Under systemd: hooks run as transient units, until systemd refuses one. */
static bool hook_units_available(struct daemon *d) {
        int k;

        if (d->hook_units_off)
                return false;
        if (!d->bus) {
                k = dbc_bus_open_system(&d->bus);
                if (k < 0) {
                        d->bus = NULL;
                        d->hook_units_off = true;
                        if (k != -EHOSTDOWN)    /* -EHOSTDOWN: no systemd, nothing to say */
                                log_warn(d, "alert hook: no system bus (%s): running it in a cgroup of "
                                         "dmabufd's own", strerror(-k));
                        return false;
                }
        }
        k = daemon_bus_attach(d);
        if (k < 0) {
                d->hook_units_off = true;
                log_warn(d, "alert hook: cannot watch the system bus (%s): running it in a cgroup of "
                         "dmabufd's own", strerror(-k));
                return false;
        }
        return true;
}

static void hook_units_refused(struct daemon *d, const struct hook_run *h, int error, const char *message) {
        if (d->hook_units_off)
                return;
        d->hook_units_off = true;
        log_warn(d, "alert hook %s: systemd did not start it as a transient unit (%s): running it in a cgroup "
                 "of dmabufd's own from now on", h->hook, message ? message : strerror(-error));
}

static void hook_unit_done(struct dbc_hook_unit *u, void *userdata) {
        struct hook_run *h = userdata;
        struct daemon *d = h->d;
        const char *result = u->result ? u->result : "unknown";

        if (u->error < 0) {
                /* Refused: this alert's hook runs by fork after all. */
                hook_units_refused(d, h, u->error, u->error_message);
                dbc_hook_unit_release(&h->unit);
                h->timer = sd_event_source_disable_unref(h->timer);
                hook_fork(d, h);
                return;
        }
        if (u->code == CLD_EXITED && u->status == 0)
                log_info(d, "alert hook %s (%s) exited with status 0 (unit %s)", h->hook, h->event, u->name);
        else if (u->code == CLD_EXITED)
                log_warn(d, "alert hook %s (%s) exited with status %d (unit %s, result %s)", h->hook, h->event,
                         (int) u->status, u->name, result);
        else if (u->code == CLD_KILLED || u->code == CLD_DUMPED)
                log_warn(d, "alert hook %s (%s) %s by signal %s (unit %s, result %s)", h->hook, h->event,
                         streq(result, "timeout") ? "killed at its time limit" : "killed",
                         strsignal((int) u->status), u->name, result);
        else
                log_warn(d, "alert hook %s (%s) did not run (unit %s, result %s)", h->hook, h->event, u->name,
                         result);
        hook_free(h);
}

/* A transient unit; false when it could not be asked for (h untouched). */
static bool hook_unit(struct daemon *d, struct hook_run *h) {
        const struct dbc_hook spec = {
                .path = h->hook, .fd = d->config->hook_fd, .script = d->config->hook_script,
        };
        char name[128];
        int k;

        /* Our pid too: units of a dmabufd before a restart may still run. */
        (void) snprintf(name, sizeof(name), "dmabufd-hook-%s-%d-%u.service", h->event, (int) getpid(),
                        ++d->hook_serial);
        k = dbc_hook_unit_start(d->bus, &h->unit, name, &spec, &h->alert, (uint64_t) HOOK_TIMEOUT_MS * 1000,
                                hook_unit_done, h);
        if (k < 0) {
                hook_units_refused(d, h, k, NULL);
                return false;
        }
        h->is_unit = true;
        k = sd_event_add_time_relative(d->event, &h->timer, CLOCK_MONOTONIC,
                                       (uint64_t) (HOOK_TIMEOUT_MS + HOOK_UNIT_SLACK_MS) * 1000, 0, hook_timeout,
                                       h);
        if (k < 0)
                log_warn(d, "alert hook %s: no timer over unit %s (%s): relying on its RuntimeMaxSec=", h->hook,
                         name, strerror(-k));
        return true;
}

static char *strdup_or_null(const char *s, bool *oom) {
        char *c = s ? strdup(s) : NULL;

        if (s && !c)
                *oom = true;
        return c;
}

static void run_hook(struct daemon *d, const struct dbc_alert *a) {
        const char *hook = d->config->alert_hook;
        struct hook_run *h;
        bool oom = false;

        if (!hook || !*hook || !d->event || d->once)
                return;
        if (d->n_hooks >= HOOK_MAX_RUNNING) {
                log_warn(d, "alert hook %s: %u runs still going, not starting one for %s of %s", hook, d->n_hooks,
                         dbc_event_to_string(a->event), a->cgroup ? a->cgroup : "-");
                return;
        }
        h = calloc(1, sizeof(*h));
        if (!h) {
                log_err(d, "alert hook: out of memory");
                return;
        }
        h->d = d;
        h->run.cgroup_fd = -1;
        h->unit.fd = -1;
        h->hook = strdup_or_null(hook, &oom);
        h->event = strdup_or_null(dbc_event_to_string(a->event), &oom);
        h->alert = *a;
        h->alert.cgroup = h->cgroup = strdup_or_null(a->cgroup, &oom);
        h->alert.policy = h->policy = strdup_or_null(a->policy, &oom);
        h->alert.target = h->target = strdup_or_null(a->target, &oom);
        h->alert.action = h->action = strdup_or_null(a->action, &oom);
        h->alert.message = NULL;
        h->next = d->hooks;
        d->hooks = h;
        d->n_hooks++;
        if (oom) {
                log_err(d, "alert hook: out of memory");
                hook_free(h);
                return;
        }
        if (hook_units_available(d) && hook_unit(d, h))
                return;
        hook_fork(d, h);
}

void daemon_hooks_kill_all(struct daemon *d) {
        while (d->hooks) {
                struct hook_run *h = d->hooks;

                if (h->is_unit)
                        (void) dbc_hook_unit_kill(d->bus, &h->unit);
                else {
                        dbc_hook_kill(&h->run);
                        if (dbc_hook_wait(&h->run, HOOK_REAP_MS) < 0)
                                log_warn(d, "alert hook %s (%s) not gone %ums after SIGKILL: not waiting longer",
                                         h->hook, h->event, HOOK_REAP_MS);
                }
                hook_free(h);
        }
}

static int priority(enum dbc_event e) {
        switch (e) {
        case DBC_EVENT_FREEZE:
        case DBC_EVENT_KILL:
        case DBC_EVENT_OOM_KILL:
        case DBC_EVENT_CONFIG_REJECTED:
                return LOG_ERR;
        case DBC_EVENT_OVER:
        case DBC_EVENT_MEMORY_MAX:
        case DBC_EVENT_WARN:
                return LOG_WARNING;
        default:
                return LOG_INFO;
        }
}

void daemon_alert(struct daemon *d, const struct dbc_alert *a) {
        int k = -1;

        if (d->journal)
                k = dbc_alert_journal(a, priority(a->event));
        if (k < 0) {
                /* No journal (the busybox VM, a terminal): one line with the
                 * same fields. */
                fprintf(stderr, "dmabufd: %s: %s [EVENT=%s CGROUP=%s POLICY=%s TARGET=%s DMABUF_BYTES=%" PRIu64
                                " LIMIT_BYTES=%" PRIu64 " ACTION=%s]\n",
                        dbc_event_to_string(a->event), a->message ? a->message : "", dbc_event_to_string(a->event),
                        a->cgroup ? a->cgroup : "-", a->policy ? a->policy : "-", a->target ? a->target : "-",
                        a->dmabuf, a->limit, a->action ? a->action : "none");
        }
        run_hook(d, a);
}
