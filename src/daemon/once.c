/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* dmabufd --once: what a pass would do right now, grace counted as elapsed,
 * changing nothing. */
#include <errno.h>
#include <string.h>

#include "dmabufctl/rows.h"
#include "dmabufd.h"

struct once {
        struct daemon *d;
        struct dbc_table table;
        int error;
};

static int once_one(struct dbc_root *r, const char *path, int dirfd, void *userdata) {
        struct once *o = userdata;
        const struct dbc_policy *p = dbc_policy_match(o->d->config, path);
        _cleanup_(decision_done) struct decision dec = { .target = { .fd = -1 } };
        struct dbc_sample s;
        const char *failed = NULL;
        enum dbc_state state;
        int k;

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
        k = daemon_decide(o->d, path, 0, p, state, &dec);
        if (k < 0) {
                log_err(o->d, "%s (policy %s): cannot choose a target: %s", path, p->name, strerror(-k));
                o->error = k;
                return 0;
        }
        /* The contract's target: what it would act on; null when it would not. */
        return dbc_decision_row_add(&o->table, &(struct dbc_decision) {
                .cgroup = path,
                .policy = p,
                .sample = &s,
                .state = state,
                .action = decision_action_to_string(dec.action),
                .target = dec.target.verdict == DBC_TARGET_ACT ? dec.target.path : NULL,
                .why = dec.why,
        });
}

int daemon_once(struct daemon *d, bool json, const struct dbc_table_text *text) {
        struct once o = { .d = d };
        int k;

        dbc_table_init(&o.table, dbc_decision_columns, ELEMENTSOF(dbc_decision_columns));
        k = dbc_cgroup_walk(d->root, "/", once_one, &o);
        if (k < 0) {
                log_err(d, "cannot walk the cgroup tree at %s: %s", d->root->path, strerror(-k));
                dbc_table_done(&o.table);
                return 1;
        }
        if (json)
                dbc_table_print_json(&o.table, stdout);
        else if (dbc_table_print_text(&o.table, stdout, text) < 0)
                o.error = -ENOMEM;
        dbc_table_done(&o.table);
        /* What dmabufd froze and has not thawed yet: after the table in
         * text, on stderr with --json (the array holds the contract's
         * fields only). */
        if (daemon_list_frozen(d, json ? stderr : stdout) < 0)
                o.error = -EIO;
        if (fflush(stdout) != 0)
                return 1;
        return o.error ? 1 : 0;
}
