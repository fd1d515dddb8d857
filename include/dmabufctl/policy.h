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
 * matches nothing). When several match, dbc_policy_precedence() picks. */
const struct dbc_policy *dbc_policy_match(const struct dbc_config *c, const char *path);

/* Can a policy of c match path or a cgroup below it? A glob's '*' stops
 * at '/', so a pattern of n components matches only paths of n components:
 * path must have at most n, each matching the pattern's component at its
 * place. A unit policy not resolved yet may appear anywhere: true. This is
 * what dmabufd watches (the directories under which a policy can match). */
bool dbc_config_may_match_below(const struct dbc_config *c, const char *path);

/* The next policy after `after` (a policy of c; NULL: from the first) in
 * configuration order that matches path, whatever its precedence, or
 * NULL: every policy claiming a cgroup, to report the overlaps. */
const struct dbc_policy *dbc_policy_match_next(const struct dbc_config *c, const char *path,
                                               const struct dbc_policy *after);

/* Why one policy wins over another that claims the same cgroup. */
enum dbc_precedence {
        DBC_PRECEDENCE_LITERAL, /* a literal path or a unit beats a glob */
        DBC_PRECEDENCE_PREFIX,  /* between globs, the longer literal prefix (before the first wildcard) */
        DBC_PRECEDENCE_ORDER,   /* else the policy read first (file order, then section order) */
};

/* The daemon contract's precedence between two policies of one
 * configuration (one policies array): < 0 when a
 * wins, > 0 when b does, 0 when a == b; *ret_why (may be NULL) says by
 * which rule. The one rule status, apply, check-config and dmabufd use. */
int dbc_policy_precedence(const struct dbc_policy *a, const struct dbc_policy *b, enum dbc_precedence *ret_why);

/* "a path or unit beats a glob", "the longer literal prefix wins", "the
 * policy read first wins". */
const char *dbc_precedence_to_string(enum dbc_precedence w);

/* DESIGN.md's state rule: over when dmabuf is above dmabuf.max; warn when
 * dmabuf is above dmabuf.warn or memory.current is above memory.high (the
 * cgroup's, as read); else ok. Always ok without a policy. A sample without
 * a dmabuf figure is never over. */
enum dbc_state dbc_policy_evaluate(const struct dbc_policy *p, const struct dbc_sample *s);

/* Does path fall under one of the config's `protect` globs: does a glob
 * match it or one of its ancestors (fnmatch(3), FNM_PATHNAME)? */
bool dbc_config_is_protected(const struct dbc_config *c, const char *path);
