/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

#include "dmabufctl/cgroup.h"
#include "dmabufctl/config.h"

enum dbc_state {
        DBC_STATE_OK,
        DBC_STATE_WARN,
        DBC_STATE_OVER,
};

const char *dbc_state_to_string(enum dbc_state s);

/* The policy that claims cgroup path (normalised, "/..."), or NULL. A
 * `cgroup` policy matches by fnmatch(3) with FNM_PATHNAME | FNM_NOESCAPE on
 * the path (a backslash is a character: "\x2d" in unit names); a
 * `unit` policy matches its resolved cgroup exactly (an unresolved one
 * matches nothing). Policies are tried in configuration order. */
const struct dbc_policy *dbc_policy_match(const struct dbc_config *c, const char *path);

/* The next policy after `after` (a policy of c) that matches path too, or
 * NULL. Two globs (or a glob and a unit) can claim one cgroup, which no
 * check of the configuration alone can see: the first one applies, and the
 * programs say so. */
const struct dbc_policy *dbc_policy_match_next(const struct dbc_config *c, const char *path,
                                               const struct dbc_policy *after);

/* DESIGN.md's state rule: over when dmabuf is above dmabuf.max; warn when
 * dmabuf is above dmabuf.warn or memory.current is above memory.high (the
 * cgroup's, as read); else ok. Always ok without a policy. A sample without
 * a dmabuf figure is never over. */
enum dbc_state dbc_policy_evaluate(const struct dbc_policy *p, const struct dbc_sample *s);

/* Does path fall under one of the config's `protect` globs: does a glob
 * match it or one of its ancestors (fnmatch(3), FNM_PATHNAME)? */
bool dbc_config_is_protected(const struct dbc_config *c, const char *path);
