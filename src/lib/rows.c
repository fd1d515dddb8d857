/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdlib.h>

#include "dmabufctl/macro.h"
#include "dmabufctl/rows.h"

#define STATUS_COLUMNS \
        [DBC_STATUS_CGROUP]  = { "CGROUP",  "cgroup",         DBC_TABLE_STRING, DBC_COLUMN_PATH,  "cgroup path below the root" }, \
        [DBC_STATUS_CURRENT] = { "CURRENT", "memory_current", DBC_TABLE_SIZE,   0,                "memory.current" }, \
        [DBC_STATUS_MAX]     = { "MAX",     "memory_max",     DBC_TABLE_LIMIT,  0,                "memory.max" }, \
        [DBC_STATUS_HIGH]    = { "HIGH",    "memory_high",    DBC_TABLE_LIMIT,  0,                "memory.high" }, \
        [DBC_STATUS_DMABUF]  = { "DMABUF",  "dmabuf",         DBC_TABLE_SIZE,   0,                "dma-buf charged (memory.stat dmabuf)" }, \
        [DBC_STATUS_POLICY]  = { "POLICY",  "policy",         DBC_TABLE_STRING, DBC_COLUMN_TRUNC, "policy that claims the cgroup" }, \
        [DBC_STATUS_STATE]   = { "STATE",   "state",          DBC_TABLE_STRING, DBC_COLUMN_STATE, "ok, warn or over" }

const struct dbc_table_column dbc_status_columns[_DBC_STATUS_N] = {
        STATUS_COLUMNS,
};

const struct dbc_table_column dbc_top_columns[_DBC_TOP_N] = {
        STATUS_COLUMNS,
        [DBC_TOP_CHANGE] = { "CHANGE", "dmabuf_change", DBC_TABLE_DELTA, 0, "change of DMABUF since the last refresh" },
        [DBC_TOP_RSS]    = { "RSS",    "rss",           DBC_TABLE_SIZE,  DBC_COLUMN_HIDDEN,
                             "dma-buf held by the processes in the cgroup itself (from /proc)" },
};

int dbc_status_row_add(struct dbc_table *t, const char *path, const struct dbc_sample *s, const struct dbc_policy *p) {
        int row = dbc_table_add_row(t);

        if (row < 0)
                return row;
        if (dbc_table_set_string(t, (size_t) row, DBC_STATUS_CGROUP, path) < 0)
                return -ENOMEM;
        if (s->has_current) {
                dbc_table_set_u64(t, (size_t) row, DBC_STATUS_CURRENT, s->memory_current);
                dbc_table_set_u64(t, (size_t) row, DBC_STATUS_MAX, s->memory_max);
                dbc_table_set_u64(t, (size_t) row, DBC_STATUS_HIGH, s->memory_high);
        }
        if (s->has_stat && s->stat.has_dmabuf)
                dbc_table_set_u64(t, (size_t) row, DBC_STATUS_DMABUF, s->stat.dmabuf);
        if (dbc_table_set_string(t, (size_t) row, DBC_STATUS_POLICY, p ? p->name : NULL) < 0 ||
            dbc_table_set_string(t, (size_t) row, DBC_STATUS_STATE, dbc_state_to_string(dbc_policy_evaluate(p, s))) < 0)
                return -ENOMEM;
        return row;
}

const struct dbc_table_column dbc_holder_columns[_DBC_HOLDER_N] = {
        [DBC_HOLDER_PID]    = { "PID",    "pid",    DBC_TABLE_U64,    0,               "process id" },
        [DBC_HOLDER_COMM]   = { "COMM",   "comm",   DBC_TABLE_STRING, 0,               "process name" },
        [DBC_HOLDER_CGROUP] = { "CGROUP", "cgroup", DBC_TABLE_STRING, DBC_COLUMN_PATH, "cgroup of the process" },
        [DBC_HOLDER_FDS]    = { "FDS",    "fds",    DBC_TABLE_U64,    0,               "file descriptors of the buffer it holds" },
        [DBC_HOLDER_MAPS]   = { "MAPS",   "maps",   DBC_TABLE_U64,    0,               "mappings of the buffer" },
};

const struct dbc_table_column dbc_buffer_columns[_DBC_BUFFER_N] = {
        [DBC_BUFFER_INODE]    = { "INODE",    "inode",          DBC_TABLE_U64,    0,               "buffer inode" },
        [DBC_BUFFER_SIZE]     = { "SIZE",     "size",           DBC_TABLE_SIZE,   0,               "buffer size" },
        [DBC_BUFFER_EXPORTER] = { "EXPORTER", "exporter",       DBC_TABLE_STRING, DBC_COLUMN_TRUNC,               "exporter (heap)" },
        [DBC_BUFFER_NAME]     = { "NAME",     "name",           DBC_TABLE_STRING, DBC_COLUMN_TRUNC,               "name set by its user" },
        [DBC_BUFFER_CHARGED]  = { "CHARGED",  "charged_cgroup", DBC_TABLE_STRING, DBC_COLUMN_PATH, "cgroup the buffer is charged to" },
        /* in text, the holders' columns continue the row, one line each */
        [DBC_BUFFER_HOLDERS]  = { "HOLDERS",  "holders",        DBC_TABLE_TABLE,  0,               NULL },
};

const struct dbc_table_column dbc_process_columns[_DBC_PROCESS_N] = {
        [DBC_PROCESS_PID]    = { "PID",    "pid",    DBC_TABLE_U64,    0,               "process id" },
        [DBC_PROCESS_COMM]   = { "COMM",   "comm",   DBC_TABLE_STRING, 0,               "process name" },
        [DBC_PROCESS_CGROUP] = { "CGROUP", "cgroup", DBC_TABLE_STRING, DBC_COLUMN_PATH, "cgroup of the process" },
        [DBC_PROCESS_RSS]    = { "RSS",    "rss",    DBC_TABLE_SIZE,   0,               "dma-buf bytes held" },
        [DBC_PROCESS_PSS]    = { "PSS",    "pss",    DBC_TABLE_SIZE,   0,               "dma-buf bytes held, shared out over holders" },
};

const struct dbc_table_column dbc_use_columns[_DBC_USE_N] = {
        [DBC_USE_CGROUP]  = { "CGROUP",  "cgroup",  DBC_TABLE_STRING, DBC_COLUMN_PATH, "cgroup" },
        [DBC_USE_RSS]     = { "RSS",     "rss",     DBC_TABLE_SIZE,   0,               "dma-buf bytes its processes hold" },
        [DBC_USE_PSS]     = { "PSS",     "pss",     DBC_TABLE_SIZE,   0,               "the same, shared out over holders" },
        [DBC_USE_CHARGED] = { "CHARGED", "charged", DBC_TABLE_SIZE,   0,               "dma-buf bytes charged to the cgroup" },
};

void dbc_buffer_table_init(struct dbc_table *t) {
        dbc_table_init(t, dbc_buffer_columns, ELEMENTSOF(dbc_buffer_columns));
        dbc_table_set_sub_columns(t, dbc_holder_columns, ELEMENTSOF(dbc_holder_columns));
}

static int holders_table(const struct dbc_scan *s, const struct dbc_buffer *b, struct dbc_table **ret) {
        struct dbc_table *t = calloc(1, sizeof(*t));

        if (!t)
                return -ENOMEM;
        dbc_table_init(t, dbc_holder_columns, ELEMENTSOF(dbc_holder_columns));
        if (dbc_table_reserve(t, b->n_holders) < 0) {
                free(t);
                return -ENOMEM;
        }
        for (size_t h = 0; h < b->n_holders; h++) {
                const struct dbc_proc *p = &s->procs[b->holders[h].proc];
                int row = dbc_table_add_row(t);

                if (row < 0) {
                        dbc_table_done(t);
                        free(t);
                        return -ENOMEM;
                }
                dbc_table_set_string_ref(t, (size_t) row, DBC_HOLDER_COMM, p->comm);
                dbc_table_set_string_ref(t, (size_t) row, DBC_HOLDER_CGROUP, p->cgroup);
                dbc_table_set_u64(t, (size_t) row, DBC_HOLDER_PID, (uint64_t) p->pid);
                dbc_table_set_u64(t, (size_t) row, DBC_HOLDER_FDS, b->holders[h].fds);
                dbc_table_set_u64(t, (size_t) row, DBC_HOLDER_MAPS, b->holders[h].maps);
        }
        *ret = t;
        return 0;
}

int dbc_buffer_row_add(struct dbc_table *t, const struct dbc_scan *s, const struct dbc_buffer *b) {
        struct dbc_table *holders;
        int row = dbc_table_add_row(t);

        if (row < 0 || holders_table(s, b, &holders) < 0)
                return -ENOMEM;
        dbc_table_set_table(t, (size_t) row, DBC_BUFFER_HOLDERS, holders);
        dbc_table_set_u64(t, (size_t) row, DBC_BUFFER_INODE, b->inode);
        dbc_table_set_u64(t, (size_t) row, DBC_BUFFER_SIZE, b->size);
        dbc_table_set_string_ref(t, (size_t) row, DBC_BUFFER_EXPORTER, b->exporter);
        dbc_table_set_string_ref(t, (size_t) row, DBC_BUFFER_NAME, b->name);
        dbc_table_set_string_ref(t, (size_t) row, DBC_BUFFER_CHARGED, b->charged_cgroup);
        return 0;
}

int dbc_process_row_add(struct dbc_table *t, const struct dbc_proc *p) {
        int row = dbc_table_add_row(t);

        if (row < 0)
                return -ENOMEM;
        dbc_table_set_string_ref(t, (size_t) row, DBC_PROCESS_COMM, p->comm);
        dbc_table_set_string_ref(t, (size_t) row, DBC_PROCESS_CGROUP, p->cgroup);
        dbc_table_set_u64(t, (size_t) row, DBC_PROCESS_PID, (uint64_t) p->pid);
        dbc_table_set_u64(t, (size_t) row, DBC_PROCESS_RSS, p->rss);
        dbc_table_set_u64(t, (size_t) row, DBC_PROCESS_PSS, p->pss);
        return 0;
}

int dbc_use_row_add(struct dbc_table *t, const struct dbc_cgroup_use *u) {
        int row = dbc_table_add_row(t);

        if (row < 0)
                return -ENOMEM;
        dbc_table_set_string_ref(t, (size_t) row, DBC_USE_CGROUP, u->cgroup);
        dbc_table_set_u64(t, (size_t) row, DBC_USE_RSS, u->rss);
        dbc_table_set_u64(t, (size_t) row, DBC_USE_PSS, u->pss);
        dbc_table_set_u64(t, (size_t) row, DBC_USE_CHARGED, u->charged);
        return 0;
}

const struct dbc_table_column dbc_change_columns[_DBC_CHANGE_N] = {
        [DBC_CHANGE_TARGET] = { "TARGET", "target", DBC_TABLE_STRING, DBC_COLUMN_PATH, "cgroup path or unit" },
        [DBC_CHANGE_KIND]   = { NULL,     "kind",   DBC_TABLE_STRING, 0,               NULL },
        [DBC_CHANGE_KEY]    = { "KEY",    "key",    DBC_TABLE_STRING, 0,               "memory.max or memory.high" },
        [DBC_CHANGE_OLD]    = { "OLD",    "old",    DBC_TABLE_LIMIT,  0,               "value in force before" },
        [DBC_CHANGE_ARROW]  = { "",       NULL,     DBC_TABLE_STRING, 0,               NULL },
        [DBC_CHANGE_NEW]    = { "NEW",    "new",    DBC_TABLE_LIMIT,  0,               "value written (read back)" },
        [DBC_CHANGE_POLICY] = { "POLICY", "policy", DBC_TABLE_STRING, DBC_COLUMN_HIDDEN, "policy asking for it" },
};

int dbc_change_row_add(struct dbc_table *t, const struct dbc_change *c) {
        int row = dbc_table_add_row(t);

        if (row < 0 ||
            dbc_table_set_string(t, (size_t) row, DBC_CHANGE_TARGET, c->target) < 0 ||
            dbc_table_set_string(t, (size_t) row, DBC_CHANGE_KIND, c->unit ? "unit" : "cgroup") < 0 ||
            dbc_table_set_string(t, (size_t) row, DBC_CHANGE_KEY, dbc_limit_file(c->limit)) < 0 ||
            dbc_table_set_string(t, (size_t) row, DBC_CHANGE_ARROW, "->") < 0 ||
            dbc_table_set_string(t, (size_t) row, DBC_CHANGE_POLICY, c->policy) < 0)
                return -ENOMEM;
        dbc_table_set_u64(t, (size_t) row, DBC_CHANGE_OLD, c->old);
        dbc_table_set_u64(t, (size_t) row, DBC_CHANGE_NEW,
                          c->state == DBC_CHANGE_WRITTEN || c->state == DBC_CHANGE_UNCHANGED ? c->in_force : c->new);
        return 0;
}

const struct dbc_table_column dbc_decision_columns[_DBC_DECISION_N] = {
        [DBC_DECISION_CGROUP] = { "CGROUP", "cgroup", DBC_TABLE_STRING, DBC_COLUMN_PATH,  "policed cgroup" },
        [DBC_DECISION_POLICY] = { "POLICY", "policy", DBC_TABLE_STRING, DBC_COLUMN_TRUNC, "policy that claims it" },
        [DBC_DECISION_DMABUF] = { "DMABUF", "dmabuf", DBC_TABLE_SIZE,   0,                "dma-buf charged (memory.stat dmabuf)" },
        [DBC_DECISION_LIMIT]  = { "LIMIT",  "limit",  DBC_TABLE_SIZE,   0,                "the policy's dmabuf.max" },
        [DBC_DECISION_STATE]  = { "STATE",  "state",  DBC_TABLE_STRING, DBC_COLUMN_STATE, "ok, warn or over" },
        [DBC_DECISION_ACTION] = { "ACTION", "action", DBC_TABLE_STRING, 0,                "none, alert, freeze, kill or protected" },
        [DBC_DECISION_TARGET] = { "TARGET", "target", DBC_TABLE_STRING, DBC_COLUMN_PATH,  "cgroup it would act on" },
        [DBC_DECISION_WHY]    = { "WHY",    "why",    DBC_TABLE_STRING, DBC_COLUMN_TRUNC,                "why it is protected or alert only" },
};

int dbc_decision_row_add(struct dbc_table *t, const struct dbc_decision *d) {
        const struct dbc_policy *p = d->policy;
        const struct dbc_sample *s = d->sample;
        int row = dbc_table_add_row(t);

        if (row < 0)
                return row;
        if (dbc_table_set_string(t, (size_t) row, DBC_DECISION_CGROUP, d->cgroup) < 0 ||
            dbc_table_set_string(t, (size_t) row, DBC_DECISION_POLICY, p->name) < 0 ||
            dbc_table_set_string(t, (size_t) row, DBC_DECISION_STATE, dbc_state_to_string(d->state)) < 0 ||
            dbc_table_set_string(t, (size_t) row, DBC_DECISION_ACTION, d->action) < 0 ||
            dbc_table_set_string(t, (size_t) row, DBC_DECISION_TARGET, d->target) < 0 ||
            dbc_table_set_string(t, (size_t) row, DBC_DECISION_WHY, d->why) < 0)
                return -ENOMEM;
        if (s->has_stat && s->stat.has_dmabuf)
                dbc_table_set_u64(t, (size_t) row, DBC_DECISION_DMABUF, s->stat.dmabuf);
        if (p->set & DBC_POLICY_DMABUF_MAX)
                dbc_table_set_u64(t, (size_t) row, DBC_DECISION_LIMIT, p->dmabuf_max);
        return 0;
}
