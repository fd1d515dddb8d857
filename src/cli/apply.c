/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* dmabufctl apply [--dry-run] */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "changes.h"
#include "cli.h"
#include "dmabufctl/size.h"
#include "dmabufctl/unit.h"

struct apply_args {
        bool dry_run;
        bool *bytes;
        struct cli_output out;
};

enum { OPT_DRY_RUN = 0x500, OPT_BYTES };

static int handle_apply(int opt, const char *arg, void *userdata) {
        struct apply_args *a = userdata;

        if (cli_output_handle(&a->out, opt, arg))
                return 0;
        switch (opt) {
        case OPT_DRY_RUN:
                a->dry_run = true;
                return 0;
        case OPT_BYTES:
                *a->bytes = true;
                return 0;
        }
        return -1;
}

int verb_apply(struct cli *cli, int argc, char *argv[]) {
        static const struct option opts[] = {
                { "dry-run", no_argument, NULL, OPT_DRY_RUN },
                { "bytes",   no_argument, NULL, OPT_BYTES },
                CLI_OUTPUT_OPTIONS,
                {}
        };
        struct apply_args a = { .bytes = &cli->bytes };
        struct dbc_config *config = NULL;
        struct dbc_root *root = NULL;
        struct dbc_limit_ctx ctx = {};
        struct dbc_limit_ops ops = dbc_limit_ops_real;
        struct dbc_plan plan = {};
        struct dbc_plan_error perr = {};
        sd_bus *bus = NULL;
        size_t failed;
        int k, r, ret;

        k = cli_parse_options(cli, argc, argv, "o:nr", opts, handle_apply, &a);
        if (k < 0)
                return EXIT_USAGE;
        if (k < argc)
                return cli_usage_error("apply: unexpected argument \"%s\" (apply takes no arguments)", argv[k]);
        ret = cli_output_resolve(&a.out, cli, "apply", changes_column_sets, ELEMENTSOF(changes_column_sets));
        if (ret != 0) {
                cli_output_done(&a.out);
                return ret == CLI_OUTPUT_HELP ? EXIT_OK : ret;
        }

        /* The whole configuration is valid, or nothing happens. */
        ret = cli_load_config(cli, &config);
        if (ret != EXIT_OK)
                goto out;
        ret = cli_open_root(cli, &root);
        if (ret != EXIT_OK)
                goto out;

        /* Units go through systemd when it runs; without it a slice policy
         * was resolved by its name and its cgroup is written directly. */
        for (size_t i = 0; i < config->n_policies; i++)
                if (config->policies[i].unit && config->policies[i].resolved) {
                        r = dbc_bus_open_system(&bus);
                        if (r < 0 && r != -EHOSTDOWN) {
                                ret = cli_error("apply: cannot reach systemd on the system bus: %s", strerror(-r));
                                goto out;
                        }
                        break;
                }

        ctx = (struct dbc_limit_ctx) { .root = root, .bus = bus, .runtime = true };
        ops.ctx = &ctx;

        /* "N%" budgets are taken of the physical memory (of --proc-root). */
        if (dbc_config_uses_percent(config)) {
                r = dbc_physical_memory(cli->proc_root, &plan.physical_memory);
                if (r < 0) {
                        ret = cli_error("apply: a policy gives a percentage of physical memory, but %s/meminfo "
                                        "cannot tell it: %s; nothing was written", cli->proc_root,
                                        r == -EINVAL ? "no MemTotal line" : strerror(-r));
                        goto out;
                }
        }

        /* Every target is read and checked before the first write. */
        r = dbc_plan_config(&plan, config, root, bus, &ops, &perr);
        if (r == -EDOM && perr.target) {
                ret = changes_refuse_floor("apply", perr.policy, perr.limit, perr.value, perr.target);
                free(perr.target);
                goto out;
        }
        if (r < 0) {
                if (perr.target)
                        ret = cli_error("apply: %s of %s: %s; nothing was written", dbc_limit_file(perr.limit),
                                        perr.target, changes_reason(cli, root, perr.unit, perr.limit, r, ctx.error));
                else
                        ret = cli_error("apply: cannot walk the cgroup tree at %s: %s; nothing was written",
                                        root->path, strerror(-r));
                free(perr.target);
                goto out;
        }

        if (plan.n == 0) {
                if (cli->json)
                        ret = changes_print(cli, &plan, &a.out);
                else
                        printf("nothing to do: every budget is in force\n");
                goto out;
        }
        changes_say_percent(&plan, "apply");
        changes_warn_current(root, &plan, "apply");
        if (a.dry_run) {
                ret = changes_print(cli, &plan, &a.out);
                if (!cli->json)
                        fprintf(stderr, "dry run: nothing was written\n");
                goto out;
        }

        r = dbc_plan_apply(&plan, &ops, &failed);
        if (r < 0) {
                ret = changes_report_failure(cli, "apply", root, &plan, failed, ctx.error);
                goto out;
        }
        ret = changes_print(cli, &plan, &a.out);
out:
        cli_output_done(&a.out);
        dbc_plan_done(&plan);
        dbc_limit_ctx_done(&ctx);
        dbc_root_free(root);
        dbc_config_free(config);
        sd_bus_flush_close_unref(bus);
        return ret;
}
