/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "dmabufctl/size.h"
#include "cgroup-rows.h"

enum sort_key { SORT_NAME, SORT_DMABUF, SORT_CURRENT };

struct status_args {
        bool all;
        enum sort_key sort;
        bool sort_given;        /* --sort name orders explicit arguments too */
        bool *bytes;
        struct cli_output out;
};

enum { OPT_ALL = 0x300, OPT_SORT, OPT_BYTES };

static int handle_status(int opt, const char *arg, void *userdata) {
        struct status_args *a = userdata;

        if (cli_output_handle(&a->out, opt, arg))
                return 0;
        switch (opt) {
        case OPT_ALL:
                a->all = true;
                return 0;
        case OPT_BYTES:
                *a->bytes = true;
                return 0;
        case OPT_SORT:
                a->sort_given = true;
                if (streq(arg, "dmabuf"))
                        a->sort = SORT_DMABUF;
                else if (streq(arg, "current"))
                        a->sort = SORT_CURRENT;
                else if (streq(arg, "name"))
                        a->sort = SORT_NAME;
                else
                        return cli_usage_error("status: --sort takes dmabuf, current or name, not \"%s\"", arg), -1;
                return 0;
        }
        return -1;
}

int verb_status(struct cli *cli, int argc, char *argv[]) {
        static const struct option opts[] = {
                { "all",   no_argument,       NULL, OPT_ALL },
                { "sort",  required_argument, NULL, OPT_SORT },
                { "bytes", no_argument,       NULL, OPT_BYTES },
                CLI_OUTPUT_OPTIONS,
                {}
        };
        struct status_args a = { .sort = SORT_NAME, .bytes = &cli->bytes };
        struct dbc_root *root = NULL;
        struct dbc_config *config = NULL;
        static const struct dbc_column_set sets[] = { { dbc_status_columns, ELEMENTSOF(dbc_status_columns) } };
        struct dbc_table_text text;
        struct dbc_table table;
        struct cgroup_rows st = { .table = &table };
        char **paths = NULL;
        int k, n, ret = EXIT_OK;

        dbc_table_init(&table, dbc_status_columns, ELEMENTSOF(dbc_status_columns));
        k = cli_parse_options(cli, argc, argv, "o:nr", opts, handle_status, &a);
        if (k < 0)
                return EXIT_USAGE;
        ret = cli_output_resolve(&a.out, cli, "status", sets, ELEMENTSOF(sets));
        if (ret != 0) {
                cli_output_done(&a.out);
                return ret == CLI_OUTPUT_HELP ? EXIT_OK : ret;
        }
        n = argc - k;

        /* Check every argument before touching anything. */
        if (n > 0) {
                paths = calloc((size_t) n, sizeof(char *));
                if (!paths) {
                        ret = cli_error("out of memory");
                        goto out;
                }
        }
        for (int i = 0; i < n; i++) {
                int r = dbc_cgroup_path_normalize(argv[k + i], &paths[i]);
                if (r == -EXDEV) {
                        ret = cli_usage_error("status: %s: a cgroup path may not contain \"..\" (it must stay below the root)", argv[k + i]);
                        goto out;
                }
                if (r < 0) {
                        ret = cli_usage_error("status: \"%s\" is not a cgroup path", argv[k + i]);
                        goto out;
                }
        }

        ret = cli_open_root(cli, &root);
        if (ret != EXIT_OK)
                goto out;
        ret = cli_load_config(cli, &config);
        if (ret != EXIT_OK)
                goto out;
        st.config = config;

        st.all = a.all || n > 0;

        if (n == 0) {
                int r = cgroup_rows_walk(&st, root);
                if (r < 0) {
                        ret = cli_error("cannot walk the cgroup tree at %s: %s", root->path, strerror(-r));
                        goto out;
                }
        } else
                for (int i = 0; i < n; i++) {
                        const char *file;
                        struct dbc_sample s;
                        int r = dbc_cgroup_sample(root, paths[i], &s, &file);

                        if (r == -ENOENT || r == -ENOTDIR) {
                                cli_error("%s: no such cgroup under %s", paths[i], root->path);
                                st.error = r;
                                continue;
                        }
                        if (r < 0) {
                                cgroup_rows_error(&st, paths[i], file, r);
                                continue;
                        }
                        if (cgroup_rows_add(&st, paths[i], &s) < 0) {
                                ret = cli_error("out of memory");
                                goto out;
                        }
                }

        if (a.sort == SORT_DMABUF)
                dbc_table_sort(&table, cgroup_rows_cmp_dmabuf);
        else if (a.sort == SORT_CURRENT)
                dbc_table_sort(&table, cgroup_rows_cmp_current);
        else if (n == 0 || a.sort_given)
                dbc_table_sort(&table, cgroup_rows_cmp_name);

        cli_notice_kernel(cli, root, &st);
        cli_output_text(&a.out, cli, &text);
        if (cli->json)
                dbc_table_print_json(&table, stdout);
        else if (dbc_table_print_text(&table, stdout, &text) < 0)
                ret = cli_error("out of memory");
        if (fflush(stdout) != 0)
                ret = cli_error("cannot write the output: %s", strerror(errno));
        else if (st.error)
                ret = EXIT_FAIL;
out:
        cli_output_done(&a.out);
        dbc_table_done(&table);
        dbc_config_free(config);
        dbc_root_free(root);
        for (int i = 0; paths && i < n; i++)
                free(paths[i]);
        free(paths);
        return ret;
}
