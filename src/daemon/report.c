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

#include "dmabufctl/alert.h"
#include "dmabufd.h"

_printf_(3, 0) static void vlog(struct daemon *d, int level, const char *fmt, va_list ap) {
        /* Under systemd stderr is a journal stream that reads <N>. */
        if (d && d->journal)
                fprintf(stderr, "<%d>", level);
        else
                fputs("dmabufd: ", stderr);
        vfprintf(stderr, fmt, ap);
        fputc('\n', stderr);
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
        struct dbc_hook_run run;
        char *event;
        sd_event_source *child;
        sd_event_source *timer;
        bool timed_out;
        struct hook_run *next;
};

static void hook_free(struct hook_run *h) {
        struct daemon *d = h->d;

        for (struct hook_run **p = &d->hooks; *p; p = &(*p)->next)
                if (*p == h) {
                        *p = h->next;
                        break;
                }
        d->n_hooks--;
        if (dbc_hook_run_done(&h->run) < 0)
                log_warn(d, "alert hook (%s): its cgroup could not be removed: something in it would not die",
                         h->event);
        sd_event_source_disable_unref(h->child);
        sd_event_source_disable_unref(h->timer);
        free(h->event);
        free(h);
}

static int hook_exited(sd_event_source *s, const siginfo_t *si, void *userdata) {
        struct hook_run *h = userdata;
        struct daemon *d = h->d;
        const char *hook = d->config->alert_hook;

        if (si->si_code == CLD_EXITED && si->si_status == 0)
                log_info(d, "alert hook %s (%s) exited with status 0", hook, h->event);
        else if (si->si_code == CLD_EXITED)
                log_warn(d, "alert hook %s (%s) exited with status %d%s", hook, h->event, si->si_status,
                         si->si_status == 127 ? " (could not be executed?)" : "");
        else
                log_warn(d, "alert hook %s (%s) %s by signal %s", hook, h->event,
                         h->timed_out ? "killed at its time limit" : "killed", strsignal(si->si_status));
        hook_free(h);
        return 0;
}

static void hook_kill(struct hook_run *h) {
        dbc_hook_kill(&h->run);
}

static int hook_timeout(sd_event_source *s, uint64_t usec, void *userdata) {
        struct hook_run *h = userdata;

        h->timed_out = true;
        log_warn(h->d, "alert hook %s (%s) still runs after %ums: killing it with its %s",
                 h->d->config->alert_hook, h->event, HOOK_TIMEOUT_MS,
                 h->run.cgroup_fd >= 0 ? "cgroup" : "process group");
        hook_kill(h);
        return 0;
}

static void run_hook(struct daemon *d, const struct dbc_alert *a) {
        const char *hook = d->config->alert_hook;
        struct hook_run *h;
        int k;

        if (!hook || !*hook || !d->event || d->once)
                return;
        if (d->n_hooks >= HOOK_MAX_RUNNING) {
                log_warn(d, "alert hook %s: %u runs still going, not starting one for %s of %s", hook, d->n_hooks,
                         dbc_event_to_string(a->event), a->cgroup ? a->cgroup : "-");
                return;
        }
        h = calloc(1, sizeof(*h));
        if (!h || !(h->event = strdup(dbc_event_to_string(a->event)))) {
                free(h);
                log_err(d, "alert hook: out of memory");
                return;
        }
        h->d = d;
        const struct dbc_hook spec = {
                .path = hook, .fd = d->config->hook_fd, .script = d->config->hook_script, .use_cgroup = true,
        };
        k = dbc_hook_spawn(&spec, a, &h->run);
        if (k == 0 && h->run.cgroup_error < 0 && !d->hook_cgroup_warned) {
                d->hook_cgroup_warned = true;
                log_warn(d, "alert hook %s: no cgroup of its own (%s): a hook that calls setsid may outlive "
                         "its time limit", hook, strerror(-h->run.cgroup_error));
        }
        if (k < 0) {
                log_err(d, "cannot start alert hook %s: %s", hook, strerror(-k));
                free(h->event);
                free(h);
                return;
        }
        h->next = d->hooks;
        d->hooks = h;
        d->n_hooks++;
        k = sd_event_add_child(d->event, &h->child, h->run.pid, WEXITED, hook_exited, h);
        if (k >= 0)
                k = sd_event_add_time_relative(d->event, &h->timer, CLOCK_MONOTONIC,
                                               (uint64_t) HOOK_TIMEOUT_MS * 1000, 0, hook_timeout, h);
        if (k < 0) {
                log_err(d, "cannot watch alert hook %s: %s", hook, strerror(-k));
                hook_kill(h);
                (void) waitpid(h->run.pid, NULL, 0);
                hook_free(h);
        }
}

void daemon_hooks_kill_all(struct daemon *d) {
        while (d->hooks) {
                struct hook_run *h = d->hooks;

                hook_kill(h);
                (void) waitpid(h->run.pid, NULL, 0);
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
