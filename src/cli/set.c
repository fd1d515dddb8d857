/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* dmabufctl set TARGET --memory-max SIZE [--memory-high SIZE] [--runtime] */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "changes.h"
#include "cli.h"
#include "dmabufctl/size.h"
#include "dmabufctl/unit.h"

struct set_args {
        struct dbc_size size[_DBC_LIMIT_N];
        uint64_t value[_DBC_LIMIT_N];
        bool has[_DBC_LIMIT_N];
        bool runtime;
        bool *bytes;
};

enum { OPT_MEMORY_MAX = 0x400, OPT_MEMORY_HIGH, OPT_RUNTIME, OPT_BYTES };

static int handle_set(int opt, const char *arg, void *userdata) {
        struct set_args *a = userdata;

        switch (opt) {
        case OPT_MEMORY_MAX:
                a->has[DBC_LIMIT_MEMORY_MAX] = true;
                return cli_parse_size_option("set", "--memory-max", arg, DBC_SIZE_ALLOW_PERCENT,
                                             &a->size[DBC_LIMIT_MEMORY_MAX]);
        case OPT_MEMORY_HIGH:
                a->has[DBC_LIMIT_MEMORY_HIGH] = true;
                return cli_parse_size_option("set", "--memory-high", arg, DBC_SIZE_ALLOW_PERCENT,
                                             &a->size[DBC_LIMIT_MEMORY_HIGH]);
        case OPT_RUNTIME:
                a->runtime = true;
                return 0;
        case OPT_BYTES:
                *a->bytes = true;
                return 0;
        }
        return -1;
}

/* Plan the asked budgets of one target; values already in force are rows
 * too, so the output says what is in force for every key asked. */
static int plan_target(struct dbc_plan *p, const struct dbc_limit_ops *ops, const struct set_args *a,
                       const char *target, bool unit, enum dbc_limit *ret_failed) {
        p->keep_unchanged = true;
        for (enum dbc_limit l = 0; l < _DBC_LIMIT_N; l++) {
                int r;

                if (!a->has[l])
                        continue;
                r = dbc_plan_add(p, ops, target, unit, NULL, l, a->value[l]);
                if (r < 0) {
                        *ret_failed = l;
                        return r;
                }
        }
        return 0;
}

/* After a unit's change: does its cgroup say the same? systemd writes the
 * file itself; say so when the kernel holds something else. */
static void check_unit_cgroup(struct cli *cli, struct dbc_root *root, sd_bus *bus, const struct dbc_plan *p,
                              const char *unit) {
        _cleanup_free_ char *cg = NULL;

        if (!root || dbc_unit_resolve(bus, unit, &cg) < 0)
                return;         /* not running: no cgroup to check */
        for (size_t i = 0; i < p->n; i++) {
                const struct dbc_change *c = &p->changes[i];
                uint64_t v;

                if (dbc_cgroup_limit_read(root, cg, c->limit, &v) < 0 || v == c->in_force)
                        continue;
                char x[DBC_FORMAT_MAX], y[DBC_FORMAT_MAX];
                cli_warn("set: note: %s says %s %s, but its cgroup %s has %s %s", unit,
                         dbc_limit_property(c->limit), dbc_size_format(c->in_force, x), cg,
                         dbc_limit_file(c->limit), dbc_size_format(v, y));
        }
}

int verb_set(struct cli *cli, int argc, char *argv[]) {
        static const struct option opts[] = {
                { "memory-max",  required_argument, NULL, OPT_MEMORY_MAX },
                { "memory-high", required_argument, NULL, OPT_MEMORY_HIGH },
                { "runtime",     no_argument,       NULL, OPT_RUNTIME },
                { "bytes",       no_argument,       NULL, OPT_BYTES },
                {}
        };
        struct set_args a = { .bytes = &cli->bytes };
        struct dbc_limit_ctx ctx = {};
        struct dbc_limit_ops ops = dbc_limit_ops_real;
        struct dbc_plan plan = {};
        struct dbc_root *root = NULL;
        sd_bus *bus = NULL;
        _cleanup_free_ char *target = NULL;
        enum dbc_limit failed_limit = DBC_LIMIT_MEMORY_MAX;
        const char *arg;
        bool unit;
        int k, r, ret;

        k = cli_parse_options(cli, argc, argv, "", opts, handle_set, &a);
        if (k < 0)
                return EXIT_USAGE;
        if (k >= argc)
                return cli_usage_error("set: no target given (a cgroup path or a unit name)");
        if (argc - k > 1)
                return cli_usage_error("set: one target at a time; unexpected \"%s\"", argv[k + 1]);
        if (!a.has[DBC_LIMIT_MEMORY_MAX] && !a.has[DBC_LIMIT_MEMORY_HIGH])
                return cli_usage_error("set: nothing to set: give --memory-max and/or --memory-high");
        arg = argv[k];
        /* "N%" is written as the bytes it stands for, and said. */
        for (enum dbc_limit l = 0; l < _DBC_LIMIT_N; l++)
                if (a.has[l] && cli_resolve_size(cli, "set", l == DBC_LIMIT_MEMORY_MAX ? "--memory-max" : "--memory-high",
                                                 &a.size[l], &a.value[l]) != 0)
                        return EXIT_FAIL;

        /* A name without '/' that ends in .service, .scope or .slice is a
         * unit; anything else a cgroup path. */
        unit = !strchr(arg, '/') && dbc_unit_name_is_valid(arg);
        if (unit) {
                r = dbc_bus_open_system(&bus);
                if (r == -EHOSTDOWN && strlen(arg) > 6 && streq(arg + strlen(arg) - 6, ".slice")) {
                        /* No systemd: a slice is still found by its name. */
                        r = dbc_slice_to_cgroup(arg, &target);
                        if (r < 0)
                                return cli_usage_error("set: \"%s\" is not a valid slice name", arg);
                        unit = false;
                } else if (r == -EHOSTDOWN)
                        return cli_error("set: %s: systemd is not running (no /run/systemd/system), so units "
                                         "cannot be changed; give the unit's cgroup path instead", arg);
                else if (r < 0)
                        return cli_error("set: %s: cannot reach systemd on the system bus: %s", arg, strerror(-r));
                else if (!(target = strdup(arg))) {
                        sd_bus_flush_close_unref(bus);
                        return cli_error("out of memory");
                }
        } else {
                r = dbc_cgroup_path_normalize(arg, &target);
                if (r == -EXDEV)
                        return cli_usage_error("set: %s: a cgroup path may not contain \"..\" (it must stay below the root)", arg);
                if (r < 0)
                        return cli_usage_error("set: \"%s\" is not a cgroup path or unit name", arg);
        }

        /* A unit's cgroup is checked afterwards when a tree is at hand; a
         * cgroup path needs one. */
        if (!unit) {
                ret = cli_open_root(cli, &root);
                if (ret != EXIT_OK)
                        goto out;
        } else if (dbc_root_open(cli->root_path, &root) < 0)
                root = NULL;

        ctx = (struct dbc_limit_ctx) { .root = root, .bus = bus, .runtime = a.runtime };
        ops.ctx = &ctx;

        r = plan_target(&plan, &ops, &a, target, unit, &failed_limit);
        if (r == -EDOM) {
                ret = changes_refuse_floor("set", NULL, failed_limit, a.value[failed_limit], target);
                goto out;
        }
        if (r < 0) {
                ret = cli_error("set: %s of %s: %s; nothing was written", dbc_limit_file(failed_limit), target,
                                changes_reason(cli, root, unit, failed_limit, r, ctx.error));
                goto out;
        }

        changes_warn_current(root, &plan, "set");
        size_t failed;
        r = dbc_plan_apply(&plan, &ops, &failed);
        if (r < 0) {
                ret = changes_report_failure(cli, "set", root, &plan, failed, ctx.error);
                goto out;
        }

        if (unit)
                check_unit_cgroup(cli, root, bus, &plan, target);
        ret = changes_print(cli, &plan, NULL);
out:
        dbc_plan_done(&plan);
        dbc_limit_ctx_done(&ctx);
        dbc_root_free(root);
        sd_bus_flush_close_unref(bus);
        return ret;
}
