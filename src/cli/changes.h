/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "cli.h"
#include "dmabufctl/plan.h"

/* Budget changes as rows, for `set` and `apply`: text "TARGET KEY OLD -> NEW",
 * JSON objects target, kind ("cgroup"/"unit"), key, old, new, policy
 * (sizes in bytes, null for max). new is what was read back after a write,
 * else what was asked for (a dry run). */
int changes_print(struct cli *cli, const struct dbc_plan *p, const struct cli_output *out);  /* out NULL: defaults */
/* The columns of those rows, for -o. */
extern const struct dbc_column_set changes_column_sets[1];

/* On stderr, for each change given as a percentage of physical memory:
 * "VERB: POLICY: KEY 50% of physical memory (16G): 8.0G (8589934592 bytes)". */
void changes_say_percent(const struct dbc_plan *p, const char *verb);

/* Why target cannot be read or written, as the end of a sentence
 * ("no such cgroup under /sys/fs/cgroup"). systemd_msg: systemd's own words,
 * or NULL. Returns a static or thread-unsafe buffer. */
const char *changes_reason(struct cli *cli, struct dbc_root *root, bool unit, enum dbc_limit l, int error,
                           const char *systemd_msg);

/* After dbc_plan_apply() failed at change `failed`: one line for the failed
 * write, one per earlier write that could not be restored, and whether all
 * was rolled back. Returns EXIT_FAIL. */
int changes_report_failure(struct cli *cli, const char *verb, struct dbc_root *root, const struct dbc_plan *p,
                           size_t failed, const char *systemd_msg);

/* A budget below one page (dbc_plan_add() said -EDOM): "VERB: [policy P:]
 * KEY SIZE of TARGET is below one page (4096 bytes): no process could run
 * in it; nothing was written". Returns EXIT_FAIL. */
int changes_refuse_floor(const char *verb, const char *policy, enum dbc_limit l, uint64_t value, const char *target);

/* On stderr, for each planned memory.max of a cgroup (not a unit) below the
 * memory.current it has now: the kernel reclaims at once and OOM-kills in
 * it when it cannot. Written all the same. */
void changes_warn_current(struct dbc_root *root, const struct dbc_plan *p, const char *verb);
