/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <string.h>

#include "cli.h"
#include "dmabufctl/escape.h"
#include "dmabufctl/policy.h"
#include "dmabufctl/unit.h"

static void unit_quiet(const struct dbc_policy *p, int error, void *userdata) {
        /* status and dmabufd say it; here an unresolved unit claims nothing */
}

/* One note per cgroup of the tree that two or more policies claim: who
 * claims it and who wins by the daemon contract's precedence. */
static int note_claims(struct dbc_root *r, const char *path, int dirfd, void *userdata) {
        const struct dbc_config *c = userdata;
        const struct dbc_policy *w = dbc_policy_match(c, path), *runner_up = NULL;
        _cleanup_free_ char *name = NULL;
        enum dbc_precedence why;

        if (!w)
                return 0;
        for (const struct dbc_policy *p = NULL; (p = dbc_policy_match_next(c, path, p));)
                if (p != w && (!runner_up || dbc_policy_precedence(p, runner_up, NULL) < 0))
                        runner_up = p;
        if (!runner_up)
                return 0;
        name = dbc_escape_text(path);
        if (!name)
                return -ENOMEM;
        (void) dbc_policy_precedence(w, runner_up, &why);
        printf("note: %s: claimed by policies", name);
        for (const struct dbc_policy *p = NULL; (p = dbc_policy_match_next(c, path, p));)
                printf("%s %s (%s:%u)", p == dbc_policy_match_next(c, path, NULL) ? "" : ",", p->name, p->file, p->line);
        printf("; %s applies (%s)\n", w->name, dbc_precedence_to_string(why));
        return 0;
}

/* `dmabufctl check-config [PATH]`: every problem on stderr (exit 1);
 * when valid, the overlaps on the live tree (or --root) as notes (exit 0). */
int verb_check_config(struct cli *cli, int argc, char *argv[]) {
        _cleanup_(dbc_diags_clear) struct dbc_diags diags = {};
        struct dbc_config *c = NULL;
        struct dbc_root *root = NULL;
        const char *path;
        sd_bus *bus = NULL;
        int first, k;

        first = cli_parse_options(cli, argc, argv, "", NULL, NULL, NULL);
        if (first < 0)
                return EXIT_USAGE;
        if (argc - first > 1)
                return cli_usage_error("check-config: too many arguments (one PATH at most)");
        path = first < argc ? argv[first] : cli->config_path;
        if (path && !*path)
                return cli_usage_error("check-config: empty PATH");

        k = dbc_config_load(path, true, &c, &diags);
        if (k == -EINVAL) {
                cli_print_diags(&diags);
                return EXIT_FAIL;
        }
        if (k < 0)
                return cli_error("%s: %s", path ? path : "the configuration", strerror(-k));
        /* What was read, in order: what dmabufd reads too. */
        for (size_t i = 0; i < c->n_files; i++)
                printf("read: %s\n", c->files[i]);
        if (c->n_files == 0)
                printf("read: no configuration file (the defaults)\n");

        /* Overlaps need a tree: --root, else the live one when there is
         * one (a configuration is also checked on a build host). */
        if (cli->root_path) {
                k = cli_open_root(cli, &root);
                if (k != EXIT_OK) {
                        dbc_config_free(c);
                        return k;
                }
        } else if (dbc_root_open(NULL, &root) < 0)
                root = NULL;
        if (root && c->n_policies > 1) {
                if (dbc_bus_open_system(&bus) < 0)
                        bus = NULL;
                k = dbc_config_resolve_units(c, bus, unit_quiet, NULL);
                sd_bus_flush_close_unref(bus);
                if (k >= 0)
                        k = dbc_cgroup_walk(root, "/", note_claims, c);
                if (k < 0)
                        cli_warn("listing the cgroups two policies claim: %s", strerror(-k));
        }
        dbc_root_free(root);
        dbc_config_free(c);
        return fflush(stdout) == 0 ? EXIT_OK : cli_error("cannot write the output: %s", strerror(errno));
}
