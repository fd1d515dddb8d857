/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* What the rows of each output hold: the columns of `status`/`top`,
 * `buffers`, `set`/`apply` and `dmabufd --once`, and how a row is filled
 * from the library's figures. Text (-o names, headers) and JSON (keys) come
 * from these tables alone. */

#include "dmabufctl/attribution.h"
#include "dmabufctl/cgroup.h"
#include "dmabufctl/config.h"
#include "dmabufctl/plan.h"
#include "dmabufctl/policy.h"
#include "dmabufctl/table.h"

/* status and top: one row per cgroup. */
enum {
        DBC_STATUS_CGROUP,
        DBC_STATUS_CURRENT,
        DBC_STATUS_MAX,
        DBC_STATUS_HIGH,
        DBC_STATUS_DMABUF,
        DBC_STATUS_POLICY,
        DBC_STATUS_STATE,
        _DBC_STATUS_N,
        DBC_TOP_CHANGE = _DBC_STATUS_N, /* top only: change of dmabuf since the last refresh */
        DBC_TOP_RSS,                    /* top only: dma-buf mapped by the cgroup's processes */
        _DBC_TOP_N,
};
extern const struct dbc_table_column dbc_status_columns[_DBC_STATUS_N];
extern const struct dbc_table_column dbc_top_columns[_DBC_TOP_N];

/* Fill the status cells of a new row: the sample s of path, the policy p
 * that claims it (or NULL) and its state. Returns the row or -ENOMEM. */
int dbc_status_row_add(struct dbc_table *t, const char *path, const struct dbc_sample *s, const struct dbc_policy *p);

/* buffers: three tables. */
enum { DBC_HOLDER_PID, DBC_HOLDER_COMM, DBC_HOLDER_CGROUP, DBC_HOLDER_FDS, DBC_HOLDER_MAPS, _DBC_HOLDER_N };
enum { DBC_BUFFER_INODE, DBC_BUFFER_SIZE, DBC_BUFFER_EXPORTER, DBC_BUFFER_NAME, DBC_BUFFER_CHARGED,
       DBC_BUFFER_HOLDERS, _DBC_BUFFER_N };
enum { DBC_PROCESS_PID, DBC_PROCESS_COMM, DBC_PROCESS_CGROUP, DBC_PROCESS_RSS, DBC_PROCESS_PSS, _DBC_PROCESS_N };
enum { DBC_USE_CGROUP, DBC_USE_RSS, DBC_USE_PSS, DBC_USE_CHARGED, _DBC_USE_N };
extern const struct dbc_table_column dbc_holder_columns[_DBC_HOLDER_N];
extern const struct dbc_table_column dbc_buffer_columns[_DBC_BUFFER_N];
extern const struct dbc_table_column dbc_process_columns[_DBC_PROCESS_N];
extern const struct dbc_table_column dbc_use_columns[_DBC_USE_N];

/* The buffers table (with its holders' sub columns set), and one row each
 * for a buffer of s (with its holders), a process, a cgroup's use.
 * The rows borrow the scan's strings: free the tables before the scan.
 * Return 0 or -ENOMEM. */
void dbc_buffer_table_init(struct dbc_table *t);
int dbc_buffer_row_add(struct dbc_table *t, const struct dbc_scan *s, const struct dbc_buffer *b);
int dbc_process_row_add(struct dbc_table *t, const struct dbc_proc *p);
int dbc_use_row_add(struct dbc_table *t, const struct dbc_cgroup_use *u);

/* set and apply: one row per budget change. */
enum { DBC_CHANGE_TARGET, DBC_CHANGE_KIND, DBC_CHANGE_KEY, DBC_CHANGE_OLD, DBC_CHANGE_ARROW, DBC_CHANGE_NEW,
       DBC_CHANGE_POLICY, _DBC_CHANGE_N };
extern const struct dbc_table_column dbc_change_columns[_DBC_CHANGE_N];
/* new is what was read back after a write, else what was asked for. */
int dbc_change_row_add(struct dbc_table *t, const struct dbc_change *c);

/* dmabufd --once: one row per policed cgroup, the decision a pass would take. */
enum { DBC_DECISION_CGROUP, DBC_DECISION_POLICY, DBC_DECISION_DMABUF, DBC_DECISION_LIMIT, DBC_DECISION_STATE,
       DBC_DECISION_ACTION, DBC_DECISION_TARGET, DBC_DECISION_WHY, _DBC_DECISION_N };
extern const struct dbc_table_column dbc_decision_columns[_DBC_DECISION_N];
struct dbc_decision {
        const char *cgroup;
        const struct dbc_policy *policy;
        const struct dbc_sample *sample;
        enum dbc_state state;
        const char *action;     /* none, alert, freeze, kill, protected */
        const char *target;     /* what it would act on; NULL when it would not */
        const char *why;        /* the reason of a protected or alert-only decision; NULL */
};
int dbc_decision_row_add(struct dbc_table *t, const struct dbc_decision *d);
