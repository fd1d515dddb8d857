/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The per-cgroup rows of `status` and `top`: one sample of memory.current,
 * memory.max, memory.high and memory.stat's dmabuf, with the policy that
 * claims the cgroup and its state. */

#include <stdbool.h>

#include "cli.h"
#include "dmabufctl/cgroup.h"
#include "dmabufctl/config.h"
#include "dmabufctl/rows.h"

struct cgroup_rows {
        const struct dbc_config *config;
        struct dbc_table *table;
        bool all;               /* every cgroup, not only policed or dmabuf-holding ones */
        bool quiet;             /* keep read errors (first one and count) instead of printing them */
        bool seen_stat;         /* some sample had memory.stat */
        bool seen_dmabuf;       /* ... with the "dmabuf" key */
        unsigned n_errors;
        int error;              /* first error, negative errno */
        char first_error[256];  /* quiet: its message */
};

/* Add the row of one sampled cgroup (unless it is not shown: see all). */
int cgroup_rows_add(struct cgroup_rows *cr, const char *path, const struct dbc_sample *s);

/* Report a cgroup that could not be read (file: which one, or NULL); the
 * walk goes on. */
void cgroup_rows_error(struct cgroup_rows *cr, const char *path, const char *file, int r);

/* Sample and add every cgroup of the tree. Returns 0, or a negative errno
 * when the walk itself failed (the root is unreadable). */
int cgroup_rows_walk(struct cgroup_rows *cr, struct dbc_root *root);

/* Row orders: by path; by dmabuf or memory.current, largest first, unknown
 * last, ties by path. */
int cgroup_rows_cmp_name(const struct dbc_table_cell *a, const struct dbc_table_cell *b);
int cgroup_rows_cmp_dmabuf(const struct dbc_table_cell *a, const struct dbc_table_cell *b);
int cgroup_rows_cmp_current(const struct dbc_table_cell *a, const struct dbc_table_cell *b);
/* top: by RSS (an unmeasured one last). */
int cgroup_rows_cmp_rss(const struct dbc_table_cell *a, const struct dbc_table_cell *b);

/* Say once on stderr when the kernel cannot give dmabuf figures, judging
 * by the rows' samples (cr NULL: probe the tree) and the mem_accounting
 * parameter. */
void cli_notice_kernel(struct cli *cli, struct dbc_root *root, const struct cgroup_rows *cr);
