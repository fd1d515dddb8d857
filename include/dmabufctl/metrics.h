/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "dmabufctl/config.h"

/* The Prometheus text of the daemon contract. */
struct dbc_metrics_cgroup {
        const char *cgroup;
        const char *policy;
        const char *labels;             /* dbc_metrics_labels() of the two, or NULL */
        bool has_dmabuf;
        uint64_t dmabuf;
        bool has_memory;
        uint64_t memory_current;
        uint64_t memory_max;            /* DBC_SIZE_MAX: written as +Inf */
        uint64_t actions[3];            /* by enum dbc_action */
};

struct dbc_metrics {
        const struct dbc_metrics_cgroup *cgroups;
        size_t n_cgroups;
        const struct dbc_config *config;        /* for the policies' limits */
        uint64_t evaluations;                   /* passes so far */
        double last_evaluation;                 /* wall-clock start of the pass the figures come from, Unix seconds */
        uint64_t memory_stat_reads;             /* memory.stat reads of the passes so far */
        uint64_t overruns;                      /* passes that took longer than the interval */
        uint64_t metrics_late;                  /* files replaced with figures older than metrics-interval */
};

/* The label set `cgroup="...",policy="..."`, escaped, for a caller that
 * keeps it from pass to pass (allocated; NULL on OOM). */
char *dbc_metrics_labels(const char *cgroup, const char *policy);

/* Write the text to f. Returns 0 or -EIO. */
int dbc_metrics_format(FILE *f, const struct dbc_metrics *m);

/* Write it to path atomically: a temporary file in the same directory,
 * fsync-free (it is a /run file), then rename(2) over path. Readers see the
 * old or the new file, never a half-written one. Returns 0 or a negative
 * errno. */
int dbc_metrics_write(const char *path, const struct dbc_metrics *m);
