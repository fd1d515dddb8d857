/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cgroup-rows.h"
#include "dmabufctl/escape.h"
#include "dmabufctl/kcaps.h"
#include "dmabufctl/policy.h"

int cgroup_rows_add(struct cgroup_rows *cr, const char *path, const struct dbc_sample *s) {
        const struct dbc_policy *p = dbc_policy_match(cr->config, path);
        int row;

        /* What the kernel offers, learnt from the samples themselves. */
        if (s->has_stat) {
                cr->seen_stat = true;
                cr->seen_dmabuf = cr->seen_dmabuf || s->stat.has_dmabuf;
        }

        if (!cr->all && !p && !(s->has_stat && s->stat.dmabuf > 0))
                return 0;
        if (p) {
                const struct dbc_policy *q = dbc_policy_match_next(cr->config, path, NULL);
                enum dbc_precedence why;

                if (q == p)
                        q = dbc_policy_match_next(cr->config, path, p);
                if (q) {
                        _cleanup_free_ char *name = dbc_escape_text(path);

                        (void) dbc_policy_precedence(p, q, &why);
                        cli_warn("cgroup %s: claimed by policy %s (%s:%u) and by policy %s (%s:%u); %s applies (%s)",
                                 name ? name : "?", p->name, p->file, p->line, q->name, q->file, q->line, p->name,
                                 dbc_precedence_to_string(why));
                }
        }
        row = dbc_status_row_add(cr->table, path, s, p);
        return row < 0 ? row : 0;
}

void cgroup_rows_error(struct cgroup_rows *cr, const char *raw_path, const char *file, int r) {
        /* A user names the cgroup: it reaches the terminal escaped. */
        _cleanup_free_ char *escaped = dbc_escape_text(raw_path);
        const char *path = escaped ? escaped : "?";
        char msg[sizeof(cr->first_error)];

        if (!file)
                snprintf(msg, sizeof(msg), "cgroup %s: cannot open: %s", path, strerror(-r));
        else if (r == -EINVAL)
                snprintf(msg, sizeof(msg), "cgroup %s: %s: malformed content", path, file);
        else
                snprintf(msg, sizeof(msg), "cgroup %s: cannot read %s: %s", path, file, strerror(-r));
        if (!cr->quiet)
                cli_error("%s", msg);
        if (cr->n_errors == 0)
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

static void walk_error(const char *path, int error, void *userdata) {
        cgroup_rows_error(userdata, path, NULL, error);
}

int cgroup_rows_walk(struct cgroup_rows *cr, struct dbc_root *root) {
        return dbc_cgroup_walk_full(root, "/", walk_one, walk_error, cr);
}

int cgroup_rows_cmp_name(const struct dbc_table_cell *a, const struct dbc_table_cell *b) {
        return strcmp(a[DBC_STATUS_CGROUP].s, b[DBC_STATUS_CGROUP].s);
}

static int cmp_col_desc(const struct dbc_table_cell *a, const struct dbc_table_cell *b, int col) {
        if (a[col].null != b[col].null)
                return a[col].null ? 1 : -1;
        if (!a[col].null && a[col].u != b[col].u)
                return a[col].u > b[col].u ? -1 : 1;
        return cgroup_rows_cmp_name(a, b);
}

int cgroup_rows_cmp_dmabuf(const struct dbc_table_cell *a, const struct dbc_table_cell *b) {
        return cmp_col_desc(a, b, DBC_STATUS_DMABUF);
}

int cgroup_rows_cmp_current(const struct dbc_table_cell *a, const struct dbc_table_cell *b) {
        return cmp_col_desc(a, b, DBC_STATUS_CURRENT);
}

int cgroup_rows_cmp_rss(const struct dbc_table_cell *a, const struct dbc_table_cell *b) {
        return cmp_col_desc(a, b, DBC_TOP_RSS);
}

void cli_notice_kernel(struct cli *cli, struct dbc_root *root, const struct cgroup_rows *cr) {
        struct cgroup_rows probed = {};
        int accounting, flag, r;

        if (!cr) {
                /* No rows yet (top, before its first frame): look. */
                struct dbc_kcaps caps;

                r = dbc_kcaps_probe(root, cli->sysfs_root, cli->dev_root, &caps);
                if (r < 0) {
                        cli_warn("cannot tell what the kernel offers: %s", strerror(-r));
                        return;
                }
                probed.seen_stat = caps.memory_controller;
                probed.seen_dmabuf = caps.dmabuf_stat;
                cr = &probed;
        }
        if (!cr->seen_stat) {
                _cleanup_free_ char *v1 = NULL;

                if (!cli->root_path && dbc_memory_v1_mount_find("/proc/self/mountinfo", &v1) >= 0)
                        cli_warn("note: the memory controller is on cgroup v1 at %s (a v1/v2 hybrid), not on the "
                                 "cgroup2 tree %s: no memory or dma-buf figures to show", v1, root->path);
                else
                        cli_warn("note: no cgroup shown under %s has the memory controller: no figures to show", root->path);
                return;
        }
        r = dbc_kcaps_mem_accounting(cli->sysfs_root, &accounting);
        if (r < 0) {
                cli_warn("cannot read %s/module/dma_heap/parameters/mem_accounting: %s", cli->sysfs_root, strerror(-r));
                return;
        }
        if (!cr->seen_dmabuf) {
                if (accounting == 1)
                        cli_warn("note: dma-heap allocations are charged to the allocating process as kernel memory "
                                 "(mainline's dma_heap.mem_accounting=1), but this kernel has no \"dmabuf\" key in "
                                 "memory.stat (the dmabufctl kernel series is not applied): dma-buf use is inside "
                                 "memory.current, not shown apart, and allocators cannot charge their clients");
                else if (accounting == 0)
                        cli_warn("note: this kernel has no \"dmabuf\" key in memory.stat (the dmabufctl kernel series "
                                 "is not applied) and dma_heap.mem_accounting is off: dma-buf use is unknown and not charged");
                else
                        cli_warn("note: this kernel has no \"dmabuf\" key in memory.stat (the dmabufctl kernel patches are not applied): dma-buf use is unknown");
                return;
        }
        if (accounting == 0) {
                cli_warn("note: dma-buf accounting is off (dma_heap.mem_accounting=0): dma-heap allocations are not charged to cgroups");
                return;
        }
        r = dbc_kcaps_charge_pidfd(cli->dev_root, &flag);
        if (r >= 0 && flag == 0)
                cli_warn("note: %s/dma_heap/system rejects DMA_HEAP_FLAG_CHARGE_PIDFD: allocators cannot charge their "
                         "clients, each allocation is charged to whoever makes it", cli->dev_root);
}
