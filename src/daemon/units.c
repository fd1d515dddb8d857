/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * `unit` policies resolved while the loop runs: one whose unit was not
 * running when the configuration was loaded is asked for again when a
 * cgroup named like the unit appears, and then every second for
 * UNIT_RETRY_MS (systemd may create the directory a moment before the
 * unit's ControlGroup says so); a reload asks for every unit policy of the
 * new configuration. The question goes out asynchronously and the answer
 * is handled when it comes: a hung systemd never stalls a pass or a reload
 * (sd-bus's call timeout is 25 s, the unit's WatchdogSec 30 s). A reload
 * keeps, until systemd answers, the cgroup the configuration in force had
 * for the same unit, unconfirmed: the directory policed there (its cgroup
 * id) stays policed and its grace runs on, but a new directory at that
 * path is not policed until systemd names it; a unit new to it is not
 * policed until the answer comes. A call that fails (a timeout, a bus
 * error) is made again after 1 s, 2 s, 4 s, ... at most a minute apart,
 * for as long as it fails; a question in flight at a reload is carried
 * over to the policy of the same unit, not sent again. Without a bus (no
 * systemd, the tests) a slice resolves by naming, which asks nobody; no
 * call here ever waits for systemd.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dmabufctl/escape.h"
#include "dmabufctl/unit.h"
#include "dmabufd.h"

#define UNIT_RETRY_TICK_MS 1000

struct unit_ask {
        struct daemon *d;
        size_t policy;                  /* index in d->config->policies */
        struct dbc_unit_request *request;
        bool reload;                    /* a reload's question: a failed answer is said */
        bool failed_said;               /* a failed call was said; cleared by an answer */
        bool bad_said;                  /* an answer not the unit's was said; cleared by another */
        uint64_t backoff_ms;            /* after a failed call, the wait before the next one (0: none) */
        uint64_t next_ms;               /* then asked again at (CLOCK_MONOTONIC) */
};

void daemon_unit_unresolved(struct daemon *d, const struct dbc_policy *p, int error) {
        log_warn(d, "%s:%u: policy %s: unit %s cannot be resolved now (%s); it is policed once its cgroup appears",
                 p->file, p->line, p->name, p->unit,
                 error == -EHOSTDOWN ? "systemd is not running" :
                 error == -ENXIO ? "not loaded" :
                 error == -EEXIST ? "its cgroup is another policy's" :
                 error == -EBADMSG ? "systemd named a cgroup that is not the unit's" : strerror(-error));
}

/* systemd named, for p's unit, what cannot be its cgroup (-EBADMSG of
 * dbc_unit_resolve_async()): said with the answer, escaped. */
static void unusable_answer(struct daemon *d, const struct dbc_policy *p, const char *answer) {
        _cleanup_free_ char *q = dbc_escape_text(answer ? answer : "");

        log_warn(d, "%s:%u: policy %s: systemd answered \"%s\" as the cgroup of unit %s, which is not one of its own; "
                 "not policed until systemd names the unit's cgroup",
                 p->file, p->line, p->name, q ? q : "(out of memory)", p->unit);
}

bool daemon_unit_may_police(const struct dbc_policy *p, uint64_t id) {
        return !p->unit || !p->unconfirmed || (p->kept_id != 0 && p->kept_id == id);
}

static uint64_t now_ms(struct daemon *d) {
        struct timespec ts;
        uint64_t usec;

        if (d->event && sd_event_now(d->event, CLOCK_MONOTONIC, &usec) >= 0)
                return usec / 1000;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000 + (uint64_t) ts.tv_nsec / 1000000;
}

static int resolved(struct daemon *d, struct dbc_policy *p, const char *cg) {
        char *copy = strdup(cg);

        if (!copy) {
                log_err(d, "policy %s: unit %s: %s", p->name, p->unit, strerror(ENOMEM));
                return -ENOMEM;
        }
        p->resolved = copy;
        log_info(d, "policy %s: unit %s is now at %s", p->name, p->unit, cg);
        return 0;
}

static int on_rescan(sd_event_source *s, void *userdata) {
        struct daemon *d = userdata;
        int k = daemon_tree_rescan(d);

        if (k < 0) {
                log_err(d, "rescanning the cgroup tree for a unit that moved: %s", strerror(-k));
                if (!d->watch_short)
                        d->watch_short = -k;    /* the passes rescan until it works */
        }
        return 0;
}

/* What a unit policy matches changed: the tree is matched again and
 * watched where it may match now, once for every answer handled before
 * the loop is idle again. */
static void rescan_later(struct daemon *d) {
        if (!d->event) {
                (void) on_rescan(NULL, d);
                return;
        }
        if (!d->units_rescan && sd_event_add_defer(d->event, &d->units_rescan, on_rescan, d) >= 0)
                (void) sd_event_source_set_priority(d->units_rescan, SD_EVENT_PRIORITY_IDLE);
        if (!d->units_rescan || sd_event_source_set_enabled(d->units_rescan, SD_EVENT_ONESHOT) < 0)
                (void) on_rescan(NULL, d);
}

static void schedule(struct daemon *d, uint64_t now);
static int on_retry(sd_event_source *s, uint64_t usec, void *userdata);
static void ask(struct daemon *d, size_t policy, bool reload);

/* A call that failed (not an answer: a timeout, a bus error): asked again
 * after a wait that doubles up to UNIT_BACKOFF_MAX_MS, for as long as it
 * fails; said once. */
static void failed(struct daemon *d, struct unit_ask *a, int error) {
        struct dbc_policy *p = &d->config->policies[a->policy];
        uint64_t now = now_ms(d);

        a->backoff_ms = a->backoff_ms == 0 ? UNIT_BACKOFF_MS :
                        a->backoff_ms >= UNIT_BACKOFF_MAX_MS / 2 ? UNIT_BACKOFF_MAX_MS : a->backoff_ms * 2;
        a->next_ms = now + a->backoff_ms;
        if (!a->failed_said) {
                a->failed_said = true;
                if (p->resolved)
                        log_warn(d, "policy %s: systemd did not confirm the cgroup of unit %s (%s): %s stays policed "
                                 "only while it is the same directory, a new one there is not; asking again, "
                                 "at most a minute after each failure", p->name, p->unit, strerror(-error), p->resolved);
                else
                        log_warn(d, "%s:%u: policy %s: systemd did not answer for unit %s (%s); asking again, "
                                 "at most a minute after each failure", p->file, p->line, p->name, p->unit, strerror(-error));
        }
        schedule(d, now);
}

/* The answer for a policy that has a cgroup already (kept by a reload):
 * the same, moved (Slice= changed), the unit gone, or its cgroup now
 * another policy's. */
static void confirm(struct daemon *d, struct unit_ask *a, struct dbc_policy *p, int error, const char *cgroup) {
        bool was_unconfirmed = p->unconfirmed;
        char *was = p->resolved;

        p->unconfirmed = false;
        p->kept_id = 0;
        if (error >= 0 && streq(cgroup, was)) {
                if (!was_unconfirmed)
                        return;
                if (a->failed_said)
                        log_info(d, "policy %s: systemd confirmed unit %s at %s", p->name, p->unit, was);
                /* A new directory there is the unit's now. */
                daemon_tree_match_path(d, was);
                return;
        }
        p->resolved = NULL;
        if (error >= 0 && resolved(d, p, cgroup) < 0)
                error = -ENOMEM;
        if (error < 0 && error != -EBADMSG)    /* on_answer() said that one */
                daemon_unit_unresolved(d, p, error);
        /* At once: nothing at the path the unit left is policed as it, and
         * its new cgroup is when it is watched; the rest with a rescan. */
        daemon_tree_match_path(d, was);
        if (p->resolved)
                daemon_tree_match_path(d, p->resolved);
        free(was);
        rescan_later(d);
}

static void on_answer(const char *unit, int error, const char *cgroup, void *userdata) {
        struct unit_ask *a = userdata;
        struct daemon *d = a->d;
        struct dbc_policy *p = &d->config->policies[a->policy];
        bool say = a->reload;

        dbc_unit_request_free(a->request);
        a->request = NULL;
        a->reload = false;
        if (error >= 0 && dbc_config_path_claimed(d->config, p, cgroup))
                error = -EEXIST;
        /* An answer that cannot be the unit's cgroup (EBADMSG) is an
         * answer, not a failed call: like "not loaded", nothing is policed
         * as the unit (not even a kept cgroup) until systemd names one. */
        if (error < 0 && error != -ENXIO && error != -EEXIST && error != -EBADMSG) {
                failed(d, a, error);
                return;
        }
        /* An answer: no more waiting between calls. */
        a->backoff_ms = 0;
        if (error == -EBADMSG && (say || !a->bad_said || p->resolved))
                unusable_answer(d, p, cgroup);
        a->bad_said = error == -EBADMSG;
        if (p->resolved)
                confirm(d, a, p, error, cgroup);
        else if (error < 0) {
                /* Not there yet: said once for a reload; the retry timer
                 * asks again while it runs. */
                if (say && error != -EBADMSG)
                        daemon_unit_unresolved(d, p, error);
        } else if (resolved(d, p, cgroup) == 0)
                daemon_tree_match_path(d, p->resolved);
        a->failed_said = false;
}

/* The question slot of policy (allocated on first use), or NULL (ENOMEM). */
static struct unit_ask *ask_slot(struct daemon *d, size_t policy) {
        if (!d->unit_asks) {
                d->unit_asks = calloc(d->config->n_policies, sizeof(*d->unit_asks));
                if (!d->unit_asks)
                        return NULL;
                d->n_unit_asks = d->config->n_policies;
        }
        if (!d->unit_asks[policy]) {
                d->unit_asks[policy] = calloc(1, sizeof(struct unit_ask));
                if (!d->unit_asks[policy])
                        return NULL;
                *d->unit_asks[policy] = (struct unit_ask) { .d = d, .policy = policy };
        }
        return d->unit_asks[policy];
}

/* The retry timer: when the next question falls due, from now: every tick
 * while UNIT_RETRY_MS runs, and when the wait after a failed call ends. */
static void schedule(struct daemon *d, uint64_t now) {
        uint64_t next = now < d->units_retry_until ? now + UNIT_RETRY_TICK_MS : UINT64_MAX;

        for (size_t i = 0; i < d->n_unit_asks; i++) {
                const struct unit_ask *a = d->unit_asks[i];

                if (a && a->backoff_ms && !dbc_unit_request_running(a->request) && a->next_ms < next)
                        next = a->next_ms > now ? a->next_ms : now + 1;
        }
        if (next == UINT64_MAX) {
                if (d->unit_timer)
                        (void) sd_event_source_set_enabled(d->unit_timer, SD_EVENT_OFF);
                return;
        }
        if (!d->unit_timer) {
                if (sd_event_add_time(d->event, &d->unit_timer, CLOCK_MONOTONIC, next * 1000, 0, on_retry, d) < 0)
                        d->unit_timer = NULL;
                return;
        }
        (void) sd_event_source_set_time(d->unit_timer, next * 1000);
        (void) sd_event_source_set_enabled(d->unit_timer, SD_EVENT_ONESHOT);
}

static int on_retry(sd_event_source *s, uint64_t usec, void *userdata) {
        struct daemon *d = userdata;
        uint64_t now = usec / 1000;

        for (size_t i = 0; i < d->config->n_policies; i++) {
                const struct unit_ask *a = i < d->n_unit_asks ? d->unit_asks[i] : NULL;

                if ((a && a->backoff_ms) ? now >= a->next_ms : now < d->units_retry_until)
                        ask(d, i, false);
        }
        schedule(d, now);
        return 0;
}

int daemon_bus_attach(struct daemon *d) {
        int k;

        if (!d->bus || !d->event)
                return -ENOTCONN;
        if (d->bus_attached)
                return 0;
        k = sd_bus_attach_event(d->bus, d->event, SD_EVENT_PRIORITY_NORMAL);
        if (k < 0)
                return k;
        d->bus_attached = true;
        return 0;
}

/* Ask for policy's cgroup when it has none or one not confirmed; for a
 * reload, also when it has one. */
static void ask(struct daemon *d, size_t policy, bool reload) {
        struct dbc_policy *p = &d->config->policies[policy];
        struct unit_ask *a;
        char *cg = NULL;
        int k;

        if (!p->unit || (p->resolved && !p->unconfirmed && !reload))
                return;
        k = daemon_bus_attach(d);
        if (k < 0) {
                if (k != -ENOTCONN && !d->units_bus_said) {
                        d->units_bus_said = true;
                        log_err(d, "cannot watch the system bus (%s): unit policies whose unit starts later "
                                "resolve only when they name a slice", strerror(-k));
                }
                /* Asks nobody (no bus, no loop, or no way to hear the
                 * answer): a slice by naming. The caller matches the tree. */
                if (!p->resolved && dbc_unit_resolve(NULL, p->unit, &cg) >= 0) {
                        (void) resolved(d, p, cg);
                        free(cg);
                }
                return;
        }
        a = ask_slot(d, policy);
        if (!a) {
                log_err(d, "policy %s: cannot ask systemd for unit %s: %s", p->name, p->unit, strerror(ENOMEM));
                return;
        }
        if (dbc_unit_request_running(a->request)) {
                a->reload = a->reload || reload;
                return;         /* asked already */
        }
        dbc_unit_request_free(a->request);
        a->request = NULL;
        a->reload = reload;
        k = dbc_unit_resolve_async(d->bus, p->unit, on_answer, a, &a->request);
        if (k < 0) {
                a->request = NULL;
                failed(d, a, k);
        }
}

void daemon_units_ask(struct daemon *d, size_t policy) {
        ask(d, policy, false);
}

int daemon_units_adopt(struct daemon *d, struct dbc_config *c) {
        for (size_t i = 0; i < c->n_policies; i++) {
                struct dbc_policy *p = &c->policies[i];

                if (!p->unit)
                        continue;
                free(p->resolved);
                p->resolved = NULL;
                p->unconfirmed = false;
                p->kept_id = 0;
                for (size_t j = 0; d->config && j < d->config->n_policies; j++) {
                        const struct dbc_policy *o = &d->config->policies[j];

                        if (!o->unit || !o->resolved || !streq(o->unit, p->unit) ||
                            dbc_config_path_claimed(c, p, o->resolved))
                                continue;
                        p->resolved = strdup(o->resolved);
                        if (!p->resolved)
                                return -ENOMEM;
                        /* Until systemd confirms it: the directory o
                         * polices there, no other. */
                        p->unconfirmed = true;
                        p->kept_id = daemon_tree_policed_id(d, o->resolved, o);
                        break;
                }
        }
        return 0;
}

void daemon_units_reloaded(struct daemon *d, const struct dbc_config *old) {
        struct unit_ask **was = d->unit_asks;
        size_t n_was = d->n_unit_asks;

        d->unit_asks = NULL;
        d->n_unit_asks = 0;
        /* A question in flight for a unit the new configuration has too is
         * carried over to its policy, not sent again (a hung systemd holds
         * every call; the bus limits how many may wait). */
        for (size_t i = 0; was && d->bus && d->event && i < d->config->n_policies; i++) {
                const struct dbc_policy *p = &d->config->policies[i];

                for (size_t j = 0; p->unit && j < n_was && j < old->n_policies; j++) {
                        struct unit_ask *a = was[j];

                        if (!a || !dbc_unit_request_running(a->request) || !old->policies[j].unit ||
                            !streq(old->policies[j].unit, p->unit))
                                continue;
                        if (!d->unit_asks) {
                                d->unit_asks = calloc(d->config->n_policies, sizeof(*d->unit_asks));
                                if (!d->unit_asks)
                                        goto done;
                                d->n_unit_asks = d->config->n_policies;
                        }
                        /* A fresh start for the new policy, the call kept. */
                        struct dbc_unit_request *request = a->request;
                        *a = (struct unit_ask) { .d = d, .policy = i, .request = request, .reload = true };
                        d->unit_asks[i] = a;
                        was[j] = NULL;
                        break;
                }
        }
done:
        for (size_t j = 0; j < n_was; j++)
                if (was[j]) {
                        dbc_unit_request_free(was[j]->request);         /* its answer is dropped */
                        free(was[j]);
                }
        free(was);
        if (!d->bus || !d->event)
                return;         /* resolved as it was loaded: nobody to ask without waiting */
        for (size_t i = 0; i < d->config->n_policies; i++)
                ask(d, i, true);
}

void daemon_units_retry(struct daemon *d, uint64_t now_ms) {
        uint64_t until = now_ms + UNIT_RETRY_MS;

        if (!d->bus || !d->event)
                return;         /* nobody to ask again */
        if (until > d->units_retry_until)
                d->units_retry_until = until;
        if (d->unit_timer && sd_event_source_get_enabled(d->unit_timer, NULL) > 0) {
                uint64_t at;

                if (sd_event_source_get_time(d->unit_timer, &at) >= 0 && at / 1000 <= now_ms + UNIT_RETRY_TICK_MS)
                        return;         /* ticking */
        }
        schedule(d, now_ms);
}

void daemon_units_free(struct daemon *d) {
        for (size_t i = 0; i < d->n_unit_asks; i++)
                if (d->unit_asks[i]) {
                        dbc_unit_request_free(d->unit_asks[i]->request);
                        free(d->unit_asks[i]);
                }
        free(d->unit_asks);
        d->unit_asks = NULL;
        d->n_unit_asks = 0;
        d->unit_timer = sd_event_source_disable_unref(d->unit_timer);
        d->units_rescan = sd_event_source_disable_unref(d->units_rescan);
}
