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
 * for the same unit, so its cgroup stays policed and its grace runs on; a
 * unit new to it is not policed until the answer comes. Without a bus (no
 * systemd, the tests) a slice resolves by naming, which asks nobody; no
 * call here ever waits for systemd.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dmabufctl/unit.h"
#include "dmabufd.h"

#define UNIT_RETRY_TICK_MS 1000

struct unit_ask {
        struct daemon *d;
        size_t policy;                  /* index in d->config->policies */
        struct dbc_unit_request *request;
        bool reload;                    /* a reload's question: a failed answer is said */
};

void daemon_unit_unresolved(struct daemon *d, const struct dbc_policy *p, int error) {
        log_warn(d, "%s:%u: policy %s: unit %s cannot be resolved now (%s); it is policed once its cgroup appears",
                 p->file, p->line, p->name, p->unit,
                 error == -EHOSTDOWN ? "systemd is not running" :
                 error == -ENXIO ? "not loaded" :
                 error == -EEXIST ? "its cgroup is another policy's" : strerror(-error));
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

/* The answer for a policy that has a cgroup already (kept by a reload):
 * the same, moved (Slice= changed), the unit gone, or its cgroup now
 * another policy's; a failed call (a timeout) keeps what it had. */
static void confirm(struct daemon *d, struct dbc_policy *p, int error, const char *cgroup) {
        char *was = p->resolved;

        if (error >= 0 && streq(cgroup, was))
                return;
        if (error < 0 && error != -ENXIO && error != -EEXIST) {
                log_warn(d, "policy %s: systemd did not confirm the cgroup of unit %s (%s): still policing %s",
                         p->name, p->unit, strerror(-error), was);
                return;
        }
        p->resolved = NULL;
        if (error >= 0 && resolved(d, p, cgroup) < 0)
                error = -ENOMEM;
        if (error < 0)
                daemon_unit_unresolved(d, p, error);
        free(was);
        /* What the policy matches changed: the tree is matched again, and
         * watched where it may match now. */
        error = daemon_tree_rescan(d);
        if (error < 0)
                log_err(d, "rescanning the cgroup tree for unit %s: %s", p->unit, strerror(-error));
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
        if (p->resolved) {
                confirm(d, p, error, cgroup);
                return;
        }
        /* Not there yet: said once for a reload; the retry timer asks
         * again while it runs. */
        if (error < 0) {
                if (say)
                        daemon_unit_unresolved(d, p, error);
                return;
        }
        if (resolved(d, p, cgroup) == 0)
                daemon_tree_unit_resolved(d, p->resolved);
}

static int on_retry(sd_event_source *s, uint64_t usec, void *userdata) {
        struct daemon *d = userdata;

        if (usec / 1000 >= d->units_retry_until) {
                (void) sd_event_source_set_enabled(s, SD_EVENT_OFF);
                return 0;
        }
        for (size_t i = 0; i < d->config->n_policies; i++)
                daemon_units_ask(d, i);
        (void) sd_event_source_set_time(s, usec + UNIT_RETRY_TICK_MS * 1000);
        (void) sd_event_source_set_enabled(s, SD_EVENT_ONESHOT);
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

/* Ask for policy's cgroup; for a reload, also when it has one (kept from
 * the configuration before). */
static void ask(struct daemon *d, size_t policy, bool reload) {
        struct dbc_policy *p = &d->config->policies[policy];
        struct unit_ask *a;
        char *cg = NULL;
        int k;

        if (!p->unit || (p->resolved && !reload))
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
        if (!d->unit_asks) {
                d->unit_asks = calloc(d->config->n_policies, sizeof(*d->unit_asks));
                if (!d->unit_asks)
                        return;
                d->n_unit_asks = d->config->n_policies;
        }
        a = &d->unit_asks[policy];
        if (dbc_unit_request_running(a->request)) {
                a->reload = a->reload || reload;
                return;         /* asked already */
        }
        dbc_unit_request_free(a->request);
        *a = (struct unit_ask) { .d = d, .policy = policy, .reload = reload };
        k = dbc_unit_resolve_async(d->bus, p->unit, on_answer, a, &a->request);
        if (k < 0)
                log_err(d, "policy %s: cannot ask systemd for unit %s: %s", p->name, p->unit, strerror(-k));
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
                for (size_t j = 0; d->config && j < d->config->n_policies; j++) {
                        const struct dbc_policy *o = &d->config->policies[j];

                        if (!o->unit || !o->resolved || !streq(o->unit, p->unit) ||
                            dbc_config_path_claimed(c, p, o->resolved))
                                continue;
                        p->resolved = strdup(o->resolved);
                        if (!p->resolved)
                                return -ENOMEM;
                        break;
                }
        }
        return 0;
}

void daemon_units_reloaded(struct daemon *d) {
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
        if (!d->unit_timer) {
                if (sd_event_add_time(d->event, &d->unit_timer, CLOCK_MONOTONIC,
                                      (now_ms + UNIT_RETRY_TICK_MS) * 1000, 0, on_retry, d) < 0)
                        d->unit_timer = NULL;
                return;
        }
        if (sd_event_source_get_enabled(d->unit_timer, NULL) > 0)
                return;         /* ticking */
        (void) sd_event_source_set_time(d->unit_timer, (now_ms + UNIT_RETRY_TICK_MS) * 1000);
        (void) sd_event_source_set_enabled(d->unit_timer, SD_EVENT_ONESHOT);
}

void daemon_units_cancel(struct daemon *d) {
        for (size_t i = 0; d->unit_asks && i < d->n_unit_asks; i++)
                dbc_unit_request_free(d->unit_asks[i].request);
        free(d->unit_asks);
        d->unit_asks = NULL;
        d->n_unit_asks = 0;
}

void daemon_units_free(struct daemon *d) {
        daemon_units_cancel(d);
        d->unit_timer = sd_event_source_disable_unref(d->unit_timer);
}
