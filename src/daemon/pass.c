/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dmabufctl/actions.h"
#include "dmabufctl/alert.h"
#include "dmabufctl/metrics.h"
#include "dmabufctl/size.h"
#include "dmabufctl/target.h"
#include "dmabufd.h"

static const char *action_name(enum dbc_action a) {
        return dbc_action_to_string(a);
}

const char *decision_action_to_string(enum decision_action a) {
        static const char *const names[] = {
                [DECISION_NONE]      = "none",
                [DECISION_ALERT]     = "alert",
                [DECISION_FREEZE]    = "freeze",
                [DECISION_KILL]      = "kill",
                [DECISION_PROTECTED] = "protected",
        };

        if ((size_t) a >= ELEMENTSOF(names))
                return NULL;
        return names[a];
}

void decision_done(struct decision *dec) {
        dbc_target_done(&dec->target);
        free(dec->why);
        dec->why = NULL;
}

int daemon_never_act(struct daemon *d, struct dbc_never_act *ret) {
        _cleanup_free_ char *journal = NULL;
        int k;

        k = dbc_never_act_init(ret, d->root, d->config, d->proc_root);
        if (k < 0)
                return k;
        /* Its hooks run in its own cgroup: they are held too. */
        if (d->self_cgroup) {
                k = dbc_never_act_hold(ret, d->root, d->self_cgroup, "own cgroup");
                if (k < 0 && k != -ENOENT)
                        return k;
        }
        if (dbc_journal_cgroup(d->proc_root, &journal) >= 0) {
                k = dbc_never_act_hold(ret, d->root, journal, "journal");
                if (k < 0 && k != -ENOENT)
                        return k;
        }
        return 0;
}

int daemon_decide(struct daemon *d, const char *path, uint64_t expect_id, const struct dbc_policy *p,
                  enum dbc_state state, struct decision *ret) {
        struct decision dec = { .target = { .fd = -1 } };
        struct dbc_never_act na;
        int k;

        if (state == DBC_STATE_OK) {
                *ret = dec;
                return 0;
        }
        dec.action = DECISION_ALERT;
        if (state == DBC_STATE_WARN || p->action == DBC_ACTION_ALERT) {
                dec.why = strdup(state == DBC_STATE_WARN ? "warning level, not over dmabuf.max"
                                                         : "the policy's action is alert");
                if (!dec.why)
                        return -ENOMEM;
                *ret = dec;
                return 0;
        }
        k = daemon_never_act(d, &na);
        if (k < 0)
                return k;
        k = dbc_target_find(d->root, &na, path, expect_id, &dec.target);
        if (k < 0)
                return k;
        switch (dec.target.verdict) {
        case DBC_TARGET_ACT:
                dec.action = p->action == DBC_ACTION_FREEZE ? DECISION_FREEZE : DECISION_KILL;
                break;
        case DBC_TARGET_NO_HOLDER:
                if (streq(dec.target.path, path))
                        k = asprintf(&dec.why, "charge not held by a live child");
                else
                        k = asprintf(&dec.why, "charge not held by a live child of %s", dec.target.path);
                break;
        case DBC_TARGET_PROTECTED:
                dec.action = DECISION_PROTECTED;
                if (dec.target.where == DBC_TARGET_AT_BUSIEST)
                        k = asprintf(&dec.why, "busiest child protected: %s (%s)", dec.target.path,
                                     dec.target.reason);
                else if (dec.target.where == DBC_TARGET_AT_SUBTREE)
                        k = asprintf(&dec.why, "the target holds %s (%s)", dec.target.path, dec.target.reason);
                else
                        k = asprintf(&dec.why, "%s: %s", dec.target.path, dec.target.reason);
                break;
        }
        if (k < 0) {
                decision_done(&dec);
                return -ENOMEM;
        }
        *ret = dec;
        return 0;
}

static void fill_alert(struct dbc_alert *a, struct node *n, enum dbc_event e, const char *action) {
        struct watch *w = n->watch;

        *a = (struct dbc_alert) {
                .event = e,
                .cgroup = n->path,
                .policy = w->policy->name,
                .dmabuf = w->dmabuf,
                .limit = e == DBC_EVENT_WARN ? w->policy->dmabuf_warn : w->policy->dmabuf_max,
                .action = action,
        };
}

/* Act on n: over dmabuf.max for its grace. */
static void act(struct daemon *d, struct node *n, uint64_t now_ms) {
        struct watch *w = n->watch;
        const struct dbc_policy *p = w->policy;
        _cleanup_(decision_done) struct decision dec = { .target = { .fd = -1 } };
        int k;

        dbc_grace_acted(&w->grace, now_ms);     /* whatever happens: no loop */
        /* The directory at the path must still be the one policed: matched
         * by its cgroup id on the very directory the choice descends from
         * and the action goes through (a new one there is another node,
         * which inotify tells about, perhaps for no policy). */
        k = daemon_decide(d, n->path, n->id, p, DBC_STATE_OVER, &dec);
        if (k == -ESTALE) {
                log_warn(d, "%s (policy %s): replaced by another directory before it could be acted on",
                         n->path, p->name);
                return;
        }
        if (k == -ENOENT) {
                log_info(d, "%s (policy %s): gone before it could be acted on", n->path, p->name);
                return;
        }
        if (k < 0) {
                log_err(d, "%s (policy %s): cannot choose what to %s: %s", n->path, p->name,
                        action_name(p->action), strerror(-k));
                return;
        }
        daemon_execute(d, n, &dec);
}

void daemon_execute(struct daemon *d, struct node *n, const struct decision *dec) {
        struct watch *w = n->watch;
        const struct dbc_policy *p = w->policy;
        _cleanup_free_ char *msg = NULL;
        const char *action, *target;
        struct dbc_alert a;
        char b1[DBC_FORMAT_MAX], b2[DBC_FORMAT_MAX];
        int k;

        action = decision_action_to_string(dec->action);
        target = dec->target.path;
        dbc_size_format(w->dmabuf, b1);
        dbc_size_format(p->dmabuf_max, b2);
        if (dec->action == DECISION_ALERT || dec->action == DECISION_PROTECTED) {
                fill_alert(&a, n, DBC_EVENT_OVER, action);
                a.target = target;
                if (p->action == DBC_ACTION_ALERT)
                        k = asprintf(&msg, "%s (policy %s): over for its grace: dmabuf %s over dmabuf.max %s",
                                     n->path, p->name, b1, b2);
                else
                        k = asprintf(&msg, "%s (policy %s): over for its grace: dmabuf %s over dmabuf.max %s; "
                                     "would %s, but %s: alert only",
                                     n->path, p->name, b1, b2, action_name(p->action), dec->why);
                a.message = k < 0 ? NULL : msg;
                w->actions[DBC_ACTION_ALERT]++;
                d->n_actions++;
                daemon_alert(d, &a);
                return;
        }

        /* Through the directory opened while choosing: a cgroup created
         * since under the same name (a restarted unit) is not the one chosen. */
        if (dec->action == DECISION_FREEZE)
                k = daemon_freeze(d, n, &dec->target);
        else
                k = dbc_cgroup_kill(dec->target.fd);
        bool fallback = dec->action == DECISION_KILL && k == 1;
        if (k < 0) {
                if (k != -ECANCELED)    /* daemon_freeze() said why already */
                        log_err(d, "%s (policy %s): cannot %s %s: %s", n->path, p->name, action, target, strerror(-k));
                return;
        }
        fill_alert(&a, n, dec->action == DECISION_FREEZE ? DBC_EVENT_FREEZE : DBC_EVENT_KILL, action);
        a.target = target;
        k = asprintf(&msg, "%s (policy %s): over for its grace: dmabuf %s over dmabuf.max %s: %s %s%s",
                     n->path, p->name, b1, b2, dec->action == DECISION_FREEZE ? "froze" : "killed", target,
                     fallback ? " (pidfd fallback: no cgroup.kill)" : "");
        a.message = k < 0 ? NULL : msg;
        w->actions[p->action]++;
        d->n_actions++;
        daemon_alert(d, &a);
}

static enum dbc_state evaluate(struct watch *w) {
        struct dbc_sample s = {
                .has_memory = w->has_memory || w->has_stat,
                .has_current = w->has_memory,
                .memory_current = w->memory_current,
                .memory_max = w->memory_max,
                .memory_high = w->memory_high,
                .has_stat = w->has_dmabuf,
                .stat = { .dmabuf = w->dmabuf, .has_dmabuf = w->has_dmabuf },
        };
        return dbc_policy_evaluate(w->policy, &s);
}

static void pass_one(struct daemon *d, struct node *n, uint64_t now_ms, bool refresh) {
        struct watch *w = n->watch;
        const struct dbc_policy *p = w->policy;
        enum dbc_state state, old = w->state;
        char b1[DBC_FORMAT_MAX], b2[DBC_FORMAT_MAX], g[DBC_FORMAT_MAX];

        daemon_watch_read(d, n, refresh);
        state = evaluate(w);
        daemon_watch_set_state(d, w, state);

        if (state == DBC_STATE_WARN && old == DBC_STATE_OK) {
                _cleanup_free_ char *msg = NULL;
                struct dbc_alert a;

                fill_alert(&a, n, DBC_EVENT_WARN, "alert");
                if (!((p->set & DBC_POLICY_DMABUF_WARN) && w->has_dmabuf && w->dmabuf > p->dmabuf_warn))
                        a.limit = w->memory_high;       /* warn came from memory.high */
                if (asprintf(&msg, "%s (policy %s): dmabuf %s, memory.current %s: above its warning level %s", n->path,
                             p->name, dbc_size_format(w->dmabuf, b1), dbc_size_format(w->memory_current, g),
                             dbc_size_format(a.limit, b2)) >= 0)
                        a.message = msg;
                daemon_alert(d, &a);
        }
        if (state == DBC_STATE_OVER && old != DBC_STATE_OVER && d->config->grace_ms > 0)
                log_warn(d, "%s (policy %s): dmabuf %s over dmabuf.max %s; %s in %s unless it drops", n->path,
                         p->name, dbc_size_format(w->dmabuf, b1), dbc_size_format(p->dmabuf_max, b2),
                         action_name(p->action), dbc_duration_format(d->config->grace_ms, g));
        if (state != DBC_STATE_OVER && old == DBC_STATE_OVER)
                log_info(d, "%s (policy %s): back under dmabuf.max (dmabuf %s)", n->path, p->name,
                         dbc_size_format(w->dmabuf, b1));

        switch (dbc_grace_step(&w->grace, state == DBC_STATE_OVER, now_ms, d->config->grace_ms,
                               d->config->cooldown_ms)) {
        case DBC_VERDICT_ACT:
                act(d, n, now_ms);
                break;
        case DBC_VERDICT_PENDING: {
                /* Act when the grace ends, not at the next pass after it. */
                uint64_t end = add_sat(w->grace.over_since, d->config->grace_ms);
                if (d->wake_ms == 0 || end < d->wake_ms)
                        d->wake_ms = end;
                break;
        }
        default:
                break;
        }
}

/* When the pass after one that ended at end_us (and took took_us) starts:
 * an interval after its end (one that took longer, an overrun, is followed
 * by an interval of rest, never by a burst catching up), or earlier when a
 * grace ends or the metrics fall due before that, but never sooner than a
 * rest of half the pass (at least a millisecond, at most the interval)
 * after its end: a due time an overrun went past waits for that rest. */
uint64_t daemon_next_pass_us(const struct daemon *d, uint64_t end_us, uint64_t took_us) {
        uint64_t interval_us = mul_sat(d->config->interval_ms, 1000), next = add_sat(end_us, interval_us);
        uint64_t rest_us = took_us / 2 < interval_us ? took_us / 2 : interval_us;
        const uint64_t due_ms[] = { d->wake_ms, d->metrics_due_ms };

        if (rest_us < 1000)
                rest_us = 1000;
        for (size_t i = 0; i < ELEMENTSOF(due_ms); i++) {
                uint64_t due_us = mul_sat(due_ms[i], 1000), earliest = add_sat(end_us, rest_us);

                if (due_ms[i] && due_us < next)
                        next = due_us > earliest ? due_us : earliest;
        }
        return next;
}

uint64_t daemon_pass_done(struct daemon *d, uint64_t start_us, uint64_t end_us) {
        /* Saturated: an end before the start (two clocks) took nothing. */
        uint64_t interval_us = mul_sat(d->config->metrics_interval_ms, 1000),
                 took_us = end_us > start_us ? end_us - start_us : 0;
        uint64_t lead_us, due_us;

        if (took_us > mul_sat(d->config->interval_ms, 1000))
                d->overruns++;          /* counted; the next pass still rests an interval */
        if (!d->metrics_wrote)
                return daemon_next_pass_us(d, end_us, took_us);
        d->metrics_wrote = false;
        /* The file held figures read from metrics_start_us on until now. */
        if (d->metrics_start_us && end_us > d->metrics_start_us && end_us - d->metrics_start_us > interval_us)
                d->metrics_late++;
        d->metrics_start_us = start_us;
        /* The pass that replaces the file starts early enough to end before
         * the figures in it are metrics-interval old: by twice what this one
         * took (the next may take longer) and the timer's slack. At most by
         * an eleventh of metrics-interval (the file is written at most a
         * tenth more often than asked), and never sooner than half of this
         * pass after its end (a rest): a pass longer than that cannot keep
         * the promise, and says so. */
        lead_us = add_sat(mul_sat(took_us, 2), METRICS_SLACK_US);
        if (lead_us > interval_us / 11) {
                lead_us = interval_us / 11;
                if (!d->metrics_slow_said) {
                        char b1[DBC_FORMAT_MAX], b2[DBC_FORMAT_MAX];

                        d->metrics_slow_said = true;    /* until the next reload */
                        log_warn(d, "a pass that writes the metrics took %s, more than a 22nd of metrics-interval %s: "
                                 "the figures in %s may grow older than that (counted in dmabufd_metrics_late_total)",
                                 dbc_duration_format(took_us / 1000, b1), dbc_duration_format(interval_us / 1000, b2),
                                 d->config->metrics_file);
                }
        }
        due_us = add_sat(start_us, interval_us - lead_us);
        if (due_us < add_sat(end_us, took_us / 2))
                due_us = add_sat(end_us, took_us / 2);
        d->metrics_due_ms = due_us / 1000;
        return daemon_next_pass_us(d, end_us, took_us);
}

void daemon_pass(struct daemon *d, uint64_t now_ms) {
        /* The metrics are written after the first pass and then every
         * metrics-interval (daemon_next_pass_us() wakes for it, early
         * enough: daemon_pass_done()); a pass that writes them reads every
         * figure. */
        bool metrics = d->config->metrics_file && *d->config->metrics_file;
        bool refresh = metrics && (d->metrics_due_ms == 0 || now_ms >= d->metrics_due_ms);
        int k;

        d->wake_ms = 0;
        if (refresh)
                clock_gettime(CLOCK_REALTIME, &d->metrics_read_at);     /* the vDSO: no syscall */
        if (d->watch_short && d->inotify_fd >= 0) {
                /* Out of watches or fds: look again for what no event tells. */
                int was = d->watch_short;

                d->watch_short = 0;
                k = daemon_tree_rescan(d);
                if (k < 0 && !d->watch_short)
                        d->watch_short = was;
                if (!d->watch_short) {
                        log_info(d, "%s available again: watching %zu cgroups, policing %zu",
                                 was == ENOSPC ? "inotify watches are" : was == ENOMEM ? "memory is" : "file descriptors are",
                                 d->n_nodes, d->n_watches);
                        d->watch_short_said = false;
                }
        }
        /* Actions never add or remove watches (only inotify does), so the
         * array is stable during the pass. */
        for (size_t i = 0; i < d->n_watches; i++) {
                struct node *n = d->policed[i];

                /* No inotify watch: its memory.events is polled instead. */
                if (n->wd < 0)
                        daemon_memory_events(d, n, now_ms);
                pass_one(d, n, now_ms, refresh);
        }
        d->evaluations++;
        if (!refresh)
                return;
        d->metrics_due_ms = add_sat(now_ms, d->config->metrics_interval_ms);    /* daemon_pass_done() brings it forward */
        d->metrics_wrote = true;
        k = daemon_write_metrics(d);
        if (k < 0 && !d->metrics_error) {
                log_err(d, "cannot write metrics to %s: %s", d->config->metrics_file, strerror(-k));
                d->metrics_error = true;        /* said once, until it works again */
        } else if (k >= 0)
                d->metrics_error = false;
}

void daemon_memory_events(struct daemon *d, struct node *n, uint64_t now_ms) {
        struct watch *w = n->watch;
        const struct dbc_policy *p = w->policy;
        struct dbc_memevents e;
        char buf[512];
        int k;

        if (!w->has_events)
                return;
        k = daemon_read_once(d, n, "memory.events", buf, sizeof(buf));
        if (k >= 0)
                k = dbc_memevents_parse(buf, (size_t) k, &e);
        daemon_read_error(d, n, &w->events_error, "memory.events", k < 0 ? -k : 0);
        if (k < 0)
                return;

        struct {
                enum dbc_event event;
                uint64_t now, before;
                const char *what;
        } kinds[] = {
                { DBC_EVENT_OOM_KILL, e.oom_kill, w->events.oom_kill, "memory.events oom_kill" },
                { DBC_EVENT_MEMORY_MAX, e.max, w->events.max, "memory.events max" },
        };
        w->events = e;
        bool alerted = false;
        for (size_t i = 0; i < ELEMENTSOF(kinds); i++) {
                _cleanup_free_ char *msg = NULL;
                struct dbc_alert a;
                char b1[DBC_FORMAT_MAX], b2[DBC_FORMAT_MAX];

                if (kinds[i].now <= kinds[i].before)
                        continue;
                /* A cgroup at its memory.max counts "max" events in bursts:
                 * one alert per cooldown (oom_kill always alerts). */
                if (kinds[i].event == DBC_EVENT_MEMORY_MAX) {
                        if (w->max_alerted && now_ms - w->max_alerted_at < d->config->cooldown_ms) {
                                w->max_unreported += kinds[i].now - kinds[i].before;
                                continue;
                        }
                        w->max_alerted = true;
                        w->max_alerted_at = now_ms;
                }
                daemon_watch_read(d, n, true);  /* the figures of the moment */
                fill_alert(&a, n, kinds[i].event, "alert");
                a.count = kinds[i].now - kinds[i].before;
                if (kinds[i].event == DBC_EVENT_MEMORY_MAX) {
                        a.count += w->max_unreported;
                        w->max_unreported = 0;
                }
                a.limit = w->memory_max;
                if (asprintf(&msg, "%s (policy %s): %" PRIu64 " new %s (now %" PRIu64 "), dmabuf %s, memory.max %s",
                             n->path, p->name, a.count, kinds[i].what, kinds[i].now, dbc_size_format(w->dmabuf, b1),
                             dbc_size_format(w->memory_max, b2)) >= 0)
                        a.message = msg;
                daemon_alert(d, &a);
                alerted = true;
        }
        /* An alert, and a reason to look now rather than at the next pass;
         * only dmabuf over dmabuf.max for its grace is ever acted on. */
        if (alerted && !d->once)
                pass_one(d, n, now_ms, false);
}

int daemon_write_metrics(struct daemon *d) {
        struct dbc_metrics m = {
                .n_cgroups = d->n_watches,
                .config = d->config,
                .evaluations = d->evaluations,
                .memory_stat_reads = d->stat_reads,
                .overruns = d->overruns,
                .metrics_late = d->metrics_late,
        };
        struct dbc_metrics_cgroup *rows;

        /* When the pass the figures come from started reading them. */
        m.last_evaluation = (double) d->metrics_read_at.tv_sec + (double) d->metrics_read_at.tv_nsec / 1e9;
        /* The rows stay allocated from write to write. */
        if (d->n_watches > d->cap_metrics_rows) {
                size_t cap = d->n_watches + d->n_watches / 4 + 16;

                rows = realloc(d->metrics_rows, cap * sizeof(*rows));
                if (!rows)
                        return -ENOMEM;
                d->metrics_rows = rows;
                d->cap_metrics_rows = cap;
        }
        m.cgroups = rows = d->metrics_rows;
        for (size_t i = 0; i < d->n_watches; i++) {
                struct node *n = d->policed[i];
                struct watch *w = n->watch;

                rows[i] = (struct dbc_metrics_cgroup) {
                        .cgroup = n->path,
                        .policy = w->policy->name,
                        .labels = w->labels,
                        .has_dmabuf = w->has_dmabuf,
                        .dmabuf = w->dmabuf,
                        .has_memory = w->has_memory,
                        .memory_current = w->memory_current,
                        .memory_max = w->memory_max,
                };
                memcpy(rows[i].actions, w->actions, sizeof(w->actions));
        }
        return dbc_metrics_write(d->config->metrics_file, &m);
}
