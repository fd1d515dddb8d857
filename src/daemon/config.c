/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "dmabufctl/runpolicy.h"
#include "dmabufctl/trust.h"
#include "dmabufctl/unit.h"
#include "dmabufd.h"

static void warn_unit(const struct dbc_policy *p, int error, void *userdata) {
        struct daemon *d = userdata;

        log_warn(d, "%s:%u: policy %s: unit %s cannot be resolved now (%s); it is policed once its cgroup appears",
                 p->file, p->line, p->name, p->unit,
                 error == -EHOSTDOWN ? "systemd is not running" :
                 error == -ENXIO ? "not loaded" : strerror(-error));
}

int daemon_load_config(struct daemon *d, struct dbc_config **ret) {
        _cleanup_(dbc_diags_clear) struct dbc_diags diags = {};
        const char *path = d->config_path ? d->config_path : DBC_CONFIG_PATH;
        _cleanup_free_ char *what = NULL;
        struct dbc_config *c = NULL;
        const char *why;
        int k;

        /* With the runtime policies of `dmabufctl run --dmabuf-max`. */
        k = dbc_config_load_runtime(path, d->config_must_exist, dbc_runtime_dir(), &c, &diags);
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
                log_err(d, "configuration %s: %s", path, strerror(-k));
                return k;
        }

        /* It runs as root and executes the hook: StrictModes. */
        k = dbc_trust_check_config(path, dbc_runtime_dir(), c->alert_hook, geteuid(), &what, &why);
        if (k != 0) {
                if (k > 0) {
                        log_err(d, "refusing the configuration: %s is %s (dmabufd runs as root and runs what it names)", what, why);
                        k = -EPERM;
                } else if (c->alert_hook)
                        log_err(d, "alert-hook %s: %s", c->alert_hook, strerror(-k));
                else
                        log_err(d, "configuration %s: %s", path, strerror(-k));
                dbc_config_free(c);
                return k;
        }
        if (c->alert_hook && access(c->alert_hook, X_OK) < 0) {
                k = -errno;
                log_err(d, "alert-hook %s: cannot be executed: %s", c->alert_hook, strerror(errno));
                dbc_config_free(c);
                return k;
        }

        bool units = false;
        for (size_t i = 0; i < c->n_policies; i++)
                units = units || c->policies[i].unit;
        if (units) {
                if (!d->bus && dbc_bus_open_system(&d->bus) < 0)
                        d->bus = NULL;
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
