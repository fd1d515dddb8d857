/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* dmabufd --once: what a pass would do right now, grace counted as elapsed,
 * changing nothing. */
#include <errno.h>
#include <string.h>

#include "../cli/table.h"
#include "dmabufd.h"

enum { COL_CGROUP, COL_POLICY, COL_DMABUF, COL_LIMIT, COL_STATE, COL_ACTION, COL_TARGET, COL_WHY };

static const struct table_column once_columns[] = {
        [COL_CGROUP] = { "CGROUP", "cgroup", TABLE_STRING },
        [COL_POLICY] = { "POLICY", "policy", TABLE_STRING },
        [COL_DMABUF] = { "DMABUF", "dmabuf", TABLE_SIZE },
        [COL_LIMIT]  = { "LIMIT",  "limit",  TABLE_SIZE },
        [COL_STATE]  = { "STATE",  "state",  TABLE_STRING },
        [COL_ACTION] = { "ACTION", "action", TABLE_STRING },
        [COL_TARGET] = { "TARGET", "target", TABLE_STRING },
        [COL_WHY]    = { "WHY",    "why",    TABLE_STRING },
};

struct once {
        struct daemon *d;
        struct table table;
        int error;
};

static int once_one(struct dbc_root *r, const char *path, int dirfd, void *userdata) {
        struct once *o = userdata;
        const struct dbc_policy *p = dbc_policy_match(o->d->config, path);
        _cleanup_(decision_done) struct decision dec = { .target = { .fd = -1 } };
        struct dbc_sample s;
        const char *failed = NULL;
        enum dbc_state state;
        struct table *t = &o->table;
        int k, row;

        if (!p)
                return 0;
        k = dbc_cgroup_sample_at(dirfd, &s, &failed);
        if (k == -ENOENT)
                return 0;
        if (k < 0) {
                log_err(o->d, "%s (policy %s): cannot read %s: %s", path, p->name, failed ? failed : "its memory files",
                        strerror(-k));
                o->error = k;
                return 0;
        }
        state = dbc_policy_evaluate(p, &s);
        k = daemon_decide(o->d, path, p, state, &dec);
        if (k < 0) {
                log_err(o->d, "%s (policy %s): cannot choose a target: %s", path, p->name, strerror(-k));
                o->error = k;
                return 0;
        }
        row = table_add_row(t);
        if (row < 0)
                return row;
        if (table_set_string(t, (size_t) row, COL_CGROUP, path) < 0 ||
            table_set_string(t, (size_t) row, COL_POLICY, p->name) < 0 ||
            table_set_string(t, (size_t) row, COL_STATE, dbc_state_to_string(state)) < 0 ||
            table_set_string(t, (size_t) row, COL_ACTION, decision_action_to_string(dec.action)) < 0 ||
            /* The contract's target: what it would act on; null when it would not. */
            table_set_string(t, (size_t) row, COL_TARGET,
                             dec.target.verdict == DBC_TARGET_ACT ? dec.target.path : NULL) < 0 ||
            table_set_string(t, (size_t) row, COL_WHY, dec.why) < 0)
                return -ENOMEM;
        if (s.has_stat && s.stat.has_dmabuf)
                table_set_u64(t, (size_t) row, COL_DMABUF, s.stat.dmabuf);
        if (p->set & DBC_POLICY_DMABUF_MAX)
                table_set_u64(t, (size_t) row, COL_LIMIT, p->dmabuf_max);
        return 0;
}

int daemon_once(struct daemon *d, bool json) {
        struct once o = { .d = d };
        int k;

        table_init(&o.table, once_columns, ELEMENTSOF(once_columns));
        k = dbc_cgroup_walk(d->root, "/", once_one, &o);
        if (k < 0) {
                log_err(d, "cannot walk the cgroup tree at %s: %s", d->root->path, strerror(-k));
                table_done(&o.table);
                return 1;
        }
        if (json)
                table_print_json(&o.table, stdout);
        else
                table_print_text(&o.table, stdout, false);
        table_done(&o.table);
        /* What dmabufd froze and has not thawed yet: after the table in
         * text, on stderr with --json (the array holds the contract's
         * fields only). */
        if (daemon_list_frozen(d, json ? stderr : stdout) < 0)
                o.error = -EIO;
        if (fflush(stdout) != 0)
                return 1;
        return o.error ? 1 : 0;
}
