/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dmabufctl/runpolicy.h"
#include "dmabufctl/trust.h"
#include "dmabufctl/unit.h"
#include "dmabufd.h"

static void warn_unit(const struct dbc_policy *p, int error, void *userdata) {
        daemon_unit_unresolved(userdata, p, error);
}

/* "a, b, c" of the files read, for one log line. */
static char *files_list(const struct dbc_config *c) {
        char *s = NULL;
        size_t n = 0;
        FILE *f = open_memstream(&s, &n);

        if (!f)
                return NULL;
        for (size_t i = 0; i < c->n_files; i++)
                fprintf(f, "%s%s", i ? ", " : "", c->files[i]);
        if (c->n_files == 0)
                fputs("none (the defaults)", f);
        if (fclose(f) != 0) {
                free(s);
                return NULL;
        }
        return s;
}

static void said_removed(const char *path, void *userdata) {
        log_info(userdata, "removed %s: the dmabufctl run that wrote it is gone and its cgroup is empty or gone", path);
}

int daemon_load_config(struct daemon *d, struct dbc_config **ret) {
        _cleanup_(dbc_diags_clear) struct dbc_diags diags = {};
        const char *path = d->config_path ? d->config_path : "the configuration";
        /* It runs as root and runs the hook: StrictModes, from / down,
         * and every file parsed (and the hook run) from the fd checked. */
        const struct dbc_trust trust = { .root = "/", .owner = geteuid() };
        const struct dbc_config_source src = {
                .path = d->config_path,
                .must_exist = d->config_must_exist,
                .trust = &trust,
        };
        _cleanup_free_ char *files = NULL;
        struct dbc_config *c = NULL;
        int k;

        /* Not the runtime policies a SIGKILLed run left behind (read only
         * in the layered configuration; --once changes nothing). */
        if (!d->config_path && !d->once) {
                k = dbc_runtime_policies_prune(d->root, NULL, said_removed, d);  /* owners: real processes */
                if (k < 0)
                        log_err(d, "cannot clear stale runtime policies in %s/policies.d: %s", dbc_runtime_dir(),
                                strerror(-k));
        }
        k = dbc_config_load_from(&src, &c, &diags);
        if (k == -EINVAL) {
                for (size_t i = 0; i < diags.n; i++)
                        if (diags.items[i].line > 0)
                                log_err(d, "%s:%u: %s", diags.items[i].file, diags.items[i].line,
                                        diags.items[i].message);
                        else
                                log_err(d, "%s: %s", diags.items[i].file, diags.items[i].message);
                return k;
        }
        if (k < 0) {
                log_err(d, "%s: %s", path, strerror(-k));
                return k;
        }
        files = files_list(c);
        log_info(d, "configuration read from %s", files ? files : "(out of memory)");

        for (size_t i = 0; i < c->n_notes; i++)
                log_warn(d, "%s", c->notes[i]);

        bool units = false;
        for (size_t i = 0; i < c->n_policies; i++)
                units = units || c->policies[i].unit;
        if (units) {
                if (!d->bus && dbc_bus_open_system(&d->bus) < 0)
                        d->bus = NULL;
                /* A reload while the loop runs never waits for systemd:
                 * what the configuration in force knew is kept, the rest
                 * is asked for once c is in force (units.c). At start and
                 * in --once, and without systemd (a slice by naming asks
                 * nobody), the answers are waited for. */
                if (d->bus && d->event)
                        k = daemon_units_adopt(d, c);
                else
                        k = dbc_config_resolve_units(c, d->bus, warn_unit, d);
                if (k < 0) {
                        log_err(d, "configuration %s: %s", path, strerror(-k));
                        dbc_config_free(c);
                        return k;
                }
        }
        *ret = c;
        return 0;
}
