/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>

/* Grace and cooldown of one policed cgroup, on a clock the caller passes in
 * (milliseconds of CLOCK_MONOTONIC in the daemon, anything in tests). */
struct dbc_grace {
        bool over;              /* over at the last step */
        uint64_t over_since;
        bool acted;             /* acted at least once */
        uint64_t acted_at;
};

enum dbc_verdict {
        DBC_VERDICT_NONE,       /* not over */
        DBC_VERDICT_PENDING,    /* over, grace still running */
        DBC_VERDICT_ACT,        /* over for grace and not cooling down: act */
        DBC_VERDICT_COOLDOWN,   /* would act, but acted less than cooldown ago */
};

/* Feed one observation. A dip below the limit resets the grace. With
 * grace_ms 0 an over sample acts at once. */
enum dbc_verdict dbc_grace_step(struct dbc_grace *g, bool over, uint64_t now_ms,
                                uint64_t grace_ms, uint64_t cooldown_ms);

/* Is the cgroup cooling down at now_ms (acted less than cooldown_ms ago)? */
bool dbc_grace_cooling(const struct dbc_grace *g, uint64_t now_ms, uint64_t cooldown_ms);

/* Record an action at now_ms: the cooldown starts. */
void dbc_grace_acted(struct dbc_grace *g, uint64_t now_ms);
