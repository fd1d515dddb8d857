/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "dmabufctl/unit.h"

void cli_print_diags(const struct dbc_diags *d) {
        for (size_t i = 0; i < d->n; i++) {
                if (d->items[i].line)
                        fprintf(stderr, "%s:%u: %s\n", d->items[i].file, d->items[i].line, d->items[i].message);
                else
                        fprintf(stderr, "%s: %s\n", d->items[i].file, d->items[i].message);
        }
}

static void warn_unit(const struct dbc_policy *p, int error, void *userdata) {
        int bus_error = *(int *) userdata;

        switch (error) {
        case -ENXIO:
                cli_warn("policy %s: unit %s: not loaded or without a cgroup, skipped", p->name, p->unit);
                break;
        case -EHOSTDOWN:
                if (bus_error != -EHOSTDOWN)
                        cli_warn("policy %s: unit %s: cannot ask systemd (%s), skipped",
                                 p->name, p->unit, strerror(-bus_error));
                else
                        cli_warn("policy %s: unit %s: systemd is not running, skipped", p->name, p->unit);
                break;
        case -EEXIST:
                cli_warn("policy %s: unit %s: its cgroup is another policy's, skipped", p->name, p->unit);
                break;
        case -EBADMSG:
                cli_warn("policy %s: unit %s: systemd named a cgroup that is not the unit's, skipped", p->name, p->unit);
                break;
        default:
                cli_warn("policy %s: unit %s: %s, skipped", p->name, p->unit, strerror(-error));
        }
}

static bool has_units(const struct dbc_config *c) {
        for (size_t i = 0; i < c->n_policies; i++)
                if (c->policies[i].unit)
                        return true;
        return false;
}

int cli_load_config(struct cli *cli, struct dbc_config **ret) {
        _cleanup_(dbc_diags_clear) struct dbc_diags diags = {};
        const char *path = cli->config_path ? cli->config_path : "the configuration";
        struct dbc_config *c = NULL;
        sd_bus *bus = NULL;
        int k, bus_error = 0;

        /* The default layers may be absent (no policies); a file asked
         * for by name must be there. */
        k = dbc_config_load(cli->config_path, true, &c, &diags);
        if (k == -EINVAL) {
                cli_print_diags(&diags);
                return EXIT_FAIL;
        }
        if (k < 0)
                return cli_error("configuration %s: %s", path, strerror(-k));

        if (has_units(c)) {
                bus_error = dbc_bus_open_system(&bus);
                k = dbc_config_resolve_units(c, bus_error < 0 ? NULL : bus, warn_unit, &bus_error);
                sd_bus_flush_close_unref(bus);
                if (k < 0) {
                        dbc_config_free(c);
                        return cli_error("configuration %s: %s", path, strerror(-k));
                }
        }
        *ret = c;
        return EXIT_OK;
}
