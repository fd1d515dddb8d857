/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "changes.h"
#include "dmabufctl/size.h"
#include "dmabufctl/rows.h"

const struct dbc_column_set changes_column_sets[1] = {
        { dbc_change_columns, ELEMENTSOF(dbc_change_columns) },
};

int changes_print(struct cli *cli, const struct dbc_plan *p, const struct cli_output *out) {
        static const struct cli_output defaults = {};
        struct dbc_table_text text;
        struct dbc_table t;
        int ret = EXIT_OK;

        dbc_table_init(&t, dbc_change_columns, ELEMENTSOF(dbc_change_columns));
        for (size_t i = 0; i < p->n; i++)
                if (dbc_change_row_add(&t, &p->changes[i]) < 0) {
                        dbc_table_done(&t);
                        return cli_error("out of memory");
                }
        cli_output_text(out ? out : &defaults, cli, &text);
        if (cli->json)
                dbc_table_print_json(&t, stdout);
        else if (t.n_rows > 0 && dbc_table_print_text(&t, stdout, &text) < 0)
                ret = cli_error("out of memory");
        dbc_table_done(&t);
        if (fflush(stdout) != 0)
                ret = cli_error("cannot write the output: %s", strerror(errno));
        return ret;
}

void changes_say_percent(const struct dbc_plan *p, const char *verb) {
        char a[DBC_FORMAT_MAX], b[DBC_FORMAT_MAX], pct[DBC_FORMAT_MAX];

        for (size_t i = 0; i < p->n; i++) {
                const struct dbc_change *c = &p->changes[i];

                if (c->percent)
                        cli_warn("%s: policy %s: %s %s of physical memory (%s): %s (%" PRIu64 " bytes) for %s",
                                 verb, c->policy ? c->policy : "-", dbc_limit_file(c->limit),
                                 dbc_percent_format(c->permyriad, pct), dbc_size_format(p->physical_memory, a),
                                 dbc_size_format(c->new, b), c->new, c->target);
        }
}

const char *changes_reason(struct cli *cli, struct dbc_root *root, bool unit, enum dbc_limit l, int error,
                           const char *systemd_msg) {
        static char buf[512];
        const char *what;

        if (unit) {
                switch (error) {
                case -ENXIO:
                        what = "no such unit";
                        break;
                case -EHOSTDOWN:
                        what = "systemd is not running (no /run/systemd/system), so units cannot be changed";
                        break;
                case -EACCES:
                case -EPERM:
                        what = "permission denied by systemd";
                        break;
                case -ETIMEDOUT:
                        what = "systemd did not answer in time";
                        break;
                default:
                        what = strerror(-error);
                }
                if (systemd_msg && *systemd_msg)
                        snprintf(buf, sizeof(buf), "%s (systemd: %s)", what, systemd_msg);
                else
                        snprintf(buf, sizeof(buf), "%s", what);
                return buf;
        }
        switch (error) {
        case -ENOENT:
                snprintf(buf, sizeof(buf), "no such cgroup under %s", root ? root->path : "the cgroup root");
                break;
        case -ENOMEDIUM:
                snprintf(buf, sizeof(buf), "it has no %s: the memory controller is not enabled for it "
                         "(cgroup.subtree_control of its parent)", dbc_limit_file(l));
                break;
        case -EXDEV:
                snprintf(buf, sizeof(buf), "the root cgroup has no %s", dbc_limit_file(l));
                break;
        case -EACCES:
                snprintf(buf, sizeof(buf), "permission denied");
                break;
        case -EPERM:
        case -EROFS:
                snprintf(buf, sizeof(buf), "permission denied (%s)", strerror(-error));
                break;
        case -EINVAL:
                snprintf(buf, sizeof(buf), "the value was refused, or %s holds something that is not a size",
                         dbc_limit_file(l));
                break;
        default:
                snprintf(buf, sizeof(buf), "%s", strerror(-error));
        }
        return buf;
}

int changes_refuse_floor(const char *verb, const char *policy, enum dbc_limit l, uint64_t value, const char *target) {
        char a[DBC_FORMAT_MAX];

        return cli_error("%s: %s%s%s%s %s (%" PRIu64 " bytes) of %s is below one page (%" PRIu64 " bytes): no "
                         "process could run in it; nothing was written", verb, policy ? "policy " : "",
                         policy ? policy : "", policy ? ": " : "", dbc_limit_file(l), dbc_size_format(value, a), value,
                         target, dbc_limit_floor());
}

void changes_warn_current(struct dbc_root *root, const struct dbc_plan *p, const char *verb) {
        char a[DBC_FORMAT_MAX], b[DBC_FORMAT_MAX];

        for (size_t i = 0; i < p->n; i++) {
                const struct dbc_change *c = &p->changes[i];
                struct dbc_sample s;

                /* memory.high below it is how one asks for reclaim: no word */
                if (c->state != DBC_CHANGE_PLANNED || c->unit || !root || c->limit != DBC_LIMIT_MEMORY_MAX ||
                    dbc_cgroup_sample(root, c->target, &s, NULL) < 0 || !s.has_current || c->new >= s.memory_current)
                        continue;
                cli_warn("%s: warning: memory.max %s of %s is below its memory.current (%s): the kernel reclaims "
                         "at once and OOM-kills in it when it cannot", verb, dbc_size_format(c->new, a), c->target,
                         dbc_size_format(s.memory_current, b));
        }
}

static const char *fmt(struct cli *cli, uint64_t v, char buf[static DBC_FORMAT_MAX]) {
        if (cli->bytes && v != DBC_SIZE_MAX) {
                snprintf(buf, DBC_FORMAT_MAX, "%llu", (unsigned long long) v);
                return buf;
        }
        return dbc_size_format(v, buf);
}

int changes_report_failure(struct cli *cli, const char *verb, struct dbc_root *root, const struct dbc_plan *p,
                           size_t failed, const char *systemd_msg) {
        const struct dbc_change *f = &p->changes[failed];
        size_t restored = 0, unrestored = 0;
        char a[DBC_FORMAT_MAX], b[DBC_FORMAT_MAX];

        for (size_t i = 0; i < failed; i++) {
                const struct dbc_change *c = &p->changes[i];

                if (c->state == DBC_CHANGE_RESTORED)
                        restored++;
                if (c->state != DBC_CHANGE_RESTORE_FAILED)
                        continue;
                unrestored++;
                cli_error("%s: could not restore %s of %s to %s (it stays %s): %s", verb,
                          dbc_limit_file(c->limit), c->target, fmt(cli, c->old, a), fmt(cli, c->new, b),
                          changes_reason(cli, root, c->unit, c->limit, c->error, NULL));
        }
        cli_error("%s: writing %s %s of %s failed: %s", verb, dbc_limit_file(f->limit), fmt(cli, f->new, a),
                  f->target, changes_reason(cli, root, f->unit, f->limit, f->error, systemd_msg));
        if (unrestored)
                return cli_error("%s: rolled back %zu of %zu earlier writes; %zu could not be restored (above)",
                                 verb, restored, restored + unrestored, unrestored);
        if (restored == 0)
                return cli_error("%s: nothing had been written before it: nothing changed", verb);
        return cli_error("%s: rolled back: %zu earlier write%s restored", verb, restored,
                         restored == 1 ? "" : "s");
}
