/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "dmabufctl/grace.h"

bool dbc_grace_cooling(const struct dbc_grace *g, uint64_t now_ms, uint64_t cooldown_ms) {
        return g->acted && now_ms - g->acted_at < cooldown_ms;
}

enum dbc_verdict dbc_grace_step(struct dbc_grace *g, bool over, uint64_t now_ms,
                                uint64_t grace_ms, uint64_t cooldown_ms) {
        if (!over) {
                g->over = false;
                return DBC_VERDICT_NONE;
        }
        if (!g->over) {
                g->over = true;
                g->over_since = now_ms;
        }
        if (now_ms - g->over_since < grace_ms)
                return DBC_VERDICT_PENDING;
        if (dbc_grace_cooling(g, now_ms, cooldown_ms))
                return DBC_VERDICT_COOLDOWN;
        return DBC_VERDICT_ACT;
}

void dbc_grace_acted(struct dbc_grace *g, uint64_t now_ms) {
        g->acted = true;
        g->acted_at = now_ms;
}
