/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "dmabufctl/kcaps.h"
#include "dmabufctl/policy.h"
#include "dmabufctl/size.h"
#include "table.h"

enum { COL_CGROUP, COL_CURRENT, COL_MAX, COL_HIGH, COL_DMABUF, COL_POLICY, COL_STATE };

static const struct table_column status_columns[] = {
        [COL_CGROUP]  = { "CGROUP",  "cgroup",         TABLE_STRING },
        [COL_CURRENT] = { "CURRENT", "memory_current", TABLE_SIZE },
        [COL_MAX]     = { "MAX",     "memory_max",     TABLE_LIMIT },
        [COL_HIGH]    = { "HIGH",    "memory_high",    TABLE_LIMIT },
        [COL_DMABUF]  = { "DMABUF",  "dmabuf",         TABLE_SIZE },
        [COL_POLICY]  = { "POLICY",  "policy",         TABLE_STRING },
        [COL_STATE]   = { "STATE",   "state",          TABLE_STRING },
};

enum sort_key { SORT_NAME, SORT_DMABUF, SORT_CURRENT };

struct status {
        struct cli *cli;
        struct dbc_config *config;
        struct table table;
        bool all;
        int error;              /* first hard error of the walk, reported already */
};

static int add_row(struct status *st, const char *path, const struct dbc_sample *s) {
        const struct dbc_policy *p = dbc_policy_match(st->config, path);
        struct table *t = &st->table;
        int row;

        if (!st->all && !p && !(s->has_stat && s->stat.dmabuf > 0))
                return 0;
        row = table_add_row(t);
        if (row < 0)
                return row;
        if (table_set_string(t, (size_t) row, COL_CGROUP, path) < 0)
                return -ENOMEM;
        if (s->has_current) {
                table_set_u64(t, (size_t) row, COL_CURRENT, s->memory_current);
                table_set_u64(t, (size_t) row, COL_MAX, s->memory_max);
                table_set_u64(t, (size_t) row, COL_HIGH, s->memory_high);
        }
        if (s->has_stat && s->stat.has_dmabuf)
                table_set_u64(t, (size_t) row, COL_DMABUF, s->stat.dmabuf);
        if (table_set_string(t, (size_t) row, COL_POLICY, p ? p->name : NULL) < 0 ||
            table_set_string(t, (size_t) row, COL_STATE, dbc_state_to_string(dbc_policy_evaluate(p, s))) < 0)
                return -ENOMEM;
        return 0;
}

static int report_sample_error(struct status *st, const char *path, const char *file, int r) {
        if (!file)
                cli_error("cgroup %s: %s", path, strerror(-r));
        else if (r == -EINVAL)
                cli_error("cgroup %s: %s: malformed content", path, file);
        else
                cli_error("cgroup %s: cannot read %s: %s", path, file, strerror(-r));
        if (!st->error)
                st->error = r;
        return 0;       /* go on with the others: lose nothing */
}

static int walk_one(struct dbc_root *root, const char *path, int dirfd, void *userdata) {
        struct status *st = userdata;
        const char *file;
        struct dbc_sample s;
        int r;

        r = dbc_cgroup_sample_at(dirfd, &s, &file);
        if (r == -ENOENT)
                return 0;       /* removed while we looked */
        if (r < 0)
                return report_sample_error(st, path, file, r);
        return add_row(st, path, &s);
}

static int cmp_name(const struct table_cell *a, const struct table_cell *b) {
        return strcmp(a[COL_CGROUP].s, b[COL_CGROUP].s);
}

/* Descending by a size column; unknown (null) last; ties by name. */
static int cmp_col_desc(const struct table_cell *a, const struct table_cell *b, int col) {
        if (a[col].null != b[col].null)
                return a[col].null ? 1 : -1;
        if (!a[col].null && a[col].u != b[col].u)
                return a[col].u > b[col].u ? -1 : 1;
        return cmp_name(a, b);
}

static int cmp_dmabuf(const struct table_cell *a, const struct table_cell *b) {
        return cmp_col_desc(a, b, COL_DMABUF);
}

static int cmp_current(const struct table_cell *a, const struct table_cell *b) {
        return cmp_col_desc(a, b, COL_CURRENT);
}

struct status_args {
        bool all;
        enum sort_key sort;
        bool *bytes;
};

enum { OPT_ALL = 0x300, OPT_SORT, OPT_BYTES };

static int handle_status(int opt, const char *arg, void *userdata) {
        struct status_args *a = userdata;

        switch (opt) {
        case OPT_ALL:
                a->all = true;
                return 0;
        case OPT_BYTES:
                *a->bytes = true;
                return 0;
        case OPT_SORT:
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

static void notice_kernel(struct cli *cli, struct dbc_root *root) {
        struct dbc_kcaps caps;
        int r;

        r = dbc_kcaps_probe(root, cli->sysfs_root, &caps);
        if (r < 0) {
                cli_warn("cannot tell what the kernel offers: %s", strerror(-r));
                return;
        }
        if (!caps.memory_controller)
                cli_warn("note: no cgroup under %s has the memory controller: no figures to show", root->path);
        else if (!caps.dmabuf_stat)
                cli_warn("note: this kernel has no \"dmabuf\" key in memory.stat (the dmabufctl kernel patches are not applied): dma-buf use is unknown");
        else if (caps.mem_accounting == 0)
                cli_warn("note: dma-buf accounting is off (dma_heap.mem_accounting=0): dma-heap allocations are not charged to cgroups");
}

int verb_status(struct cli *cli, int argc, char *argv[]) {
        static const struct option opts[] = {
                { "all",   no_argument,       NULL, OPT_ALL },
                { "sort",  required_argument, NULL, OPT_SORT },
                { "bytes", no_argument,       NULL, OPT_BYTES },
                {}
        };
        struct status_args a = { .sort = SORT_NAME, .bytes = &cli->bytes };
        struct dbc_root *root = NULL;
        struct status st = { .cli = cli };
        char **paths = NULL;
        int k, n, ret = EXIT_OK;

        k = cli_parse_options(cli, argc, argv, "", opts, handle_status, &a);
        if (k < 0)
                return EXIT_USAGE;
        n = argc - k;

        /* Check every argument before touching anything. */
        if (n > 0) {
                paths = calloc((size_t) n, sizeof(char *));
                if (!paths)
                        return cli_error("out of memory");
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
        ret = cli_load_config(cli, &st.config);
        if (ret != EXIT_OK)
                goto out;

        st.all = a.all || n > 0;
        table_init(&st.table, status_columns, ELEMENTSOF(status_columns));

        if (n == 0) {
                int r = dbc_cgroup_walk(root, "/", walk_one, &st);
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
                                report_sample_error(&st, paths[i], file, r);
                                continue;
                        }
                        if (add_row(&st, paths[i], &s) < 0) {
                                ret = cli_error("out of memory");
                                goto out;
                        }
                }

        if (a.sort == SORT_DMABUF)
                table_sort(&st.table, cmp_dmabuf);
        else if (a.sort == SORT_CURRENT)
                table_sort(&st.table, cmp_current);
        else if (n == 0)
                table_sort(&st.table, cmp_name);

        notice_kernel(cli, root);
        if (cli->json)
                table_print_json(&st.table, stdout);
        else
                table_print_text(&st.table, stdout, cli->bytes);
        if (fflush(stdout) != 0)
                ret = cli_error("cannot write the output: %s", strerror(errno));
        else if (st.error)
                ret = EXIT_FAIL;
out:
        table_done(&st.table);
        dbc_config_free(st.config);
        dbc_root_free(root);
        for (int i = 0; paths && i < n; i++)
                free(paths[i]);
        free(paths);
        return ret;
}
