/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cgroup-rows.h"
#include "dmabufctl/kcaps.h"
#include "dmabufctl/policy.h"

#define STATUS_COLUMNS \
        [COL_CGROUP]  = { "CGROUP",  "cgroup",         TABLE_STRING }, \
        [COL_CURRENT] = { "CURRENT", "memory_current", TABLE_SIZE }, \
        [COL_MAX]     = { "MAX",     "memory_max",     TABLE_LIMIT }, \
        [COL_HIGH]    = { "HIGH",    "memory_high",    TABLE_LIMIT }, \
        [COL_DMABUF]  = { "DMABUF",  "dmabuf",         TABLE_SIZE }, \
        [COL_POLICY]  = { "POLICY",  "policy",         TABLE_STRING }, \
        [COL_STATE]   = { "STATE",   "state",          TABLE_STRING }

const struct table_column status_columns[COL_STATE + 1] = {
        STATUS_COLUMNS,
};

const struct table_column top_columns[COL_DELTA + 1] = {
        STATUS_COLUMNS,
        [COL_DELTA]   = { "CHANGE",  "dmabuf_change",  TABLE_DELTA },
};

int cgroup_rows_add(struct cgroup_rows *cr, const char *path, const struct dbc_sample *s) {
        const struct dbc_policy *p = dbc_policy_match(cr->config, path);
        struct table *t = cr->table;
        int row;

        if (!cr->all && !p && !(s->has_stat && s->stat.dmabuf > 0))
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

void cgroup_rows_error(struct cgroup_rows *cr, const char *path, const char *file, int r) {
        char msg[sizeof(cr->first_error)];

        if (!file)
                snprintf(msg, sizeof(msg), "cgroup %s: %s", path, strerror(-r));
        else if (r == -EINVAL)
                snprintf(msg, sizeof(msg), "cgroup %s: %s: malformed content", path, file);
        else
                snprintf(msg, sizeof(msg), "cgroup %s: cannot read %s: %s", path, file, strerror(-r));
        if (!cr->quiet)
                cli_error("%s", msg);
        else if (cr->n_errors == 0)
                memcpy(cr->first_error, msg, sizeof(msg));
        cr->n_errors++;
        if (!cr->error)
                cr->error = r;
}

static int walk_one(struct dbc_root *root, const char *path, int dirfd, void *userdata) {
        struct cgroup_rows *cr = userdata;
        const char *file;
        struct dbc_sample s;
        int r;

        r = dbc_cgroup_sample_at(dirfd, &s, &file);
        if (r == -ENOENT)
                return 0;       /* removed while we looked */
        if (r < 0) {
                cgroup_rows_error(cr, path, file, r);
                return 0;       /* go on with the others: lose nothing */
        }
        return cgroup_rows_add(cr, path, &s);
}

int cgroup_rows_walk(struct cgroup_rows *cr, struct dbc_root *root) {
        return dbc_cgroup_walk(root, "/", walk_one, cr);
}

int cgroup_rows_cmp_name(const struct table_cell *a, const struct table_cell *b) {
        return strcmp(a[COL_CGROUP].s, b[COL_CGROUP].s);
}

static int cmp_col_desc(const struct table_cell *a, const struct table_cell *b, int col) {
        if (a[col].null != b[col].null)
                return a[col].null ? 1 : -1;
        if (!a[col].null && a[col].u != b[col].u)
                return a[col].u > b[col].u ? -1 : 1;
        return cgroup_rows_cmp_name(a, b);
}

int cgroup_rows_cmp_dmabuf(const struct table_cell *a, const struct table_cell *b) {
        return cmp_col_desc(a, b, COL_DMABUF);
}

int cgroup_rows_cmp_current(const struct table_cell *a, const struct table_cell *b) {
        return cmp_col_desc(a, b, COL_CURRENT);
}

void cli_notice_kernel(struct cli *cli, struct dbc_root *root) {
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
