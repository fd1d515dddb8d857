/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The plan/apply engine: a failed write at every position restores every
 * earlier write, in reverse order; on an in-memory model and on a real
 * fixture tree through the real write step. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tree-util.h"
#include "dmabufctl/config.h"
#include "dmabufctl/macro.h"
#include "dmabufctl/plan.h"
#include "dmabufctl/size.h"

/* ---- an in-memory model of targets, with a failing k-th write ---- */

#define N_TARGETS 5

struct model {
        const char *name[N_TARGETS];
        uint64_t value[N_TARGETS][_DBC_LIMIT_N];
        unsigned writes;                /* writes seen so far */
        unsigned fail_write;            /* fail the n-th write (1-based); 0 never */
        unsigned fail_restore_of;       /* fail writes that put this target's old value back; 0 none, else index+1 */
        char log[64][48];               /* "target key value" of every successful write */
        unsigned n_log;
};

static int find(struct model *m, const char *target) {
        for (int i = 0; i < N_TARGETS; i++)
                if (streq(m->name[i], target))
                        return i;
        return -1;
}

static int model_prepare(void *ctx, const char *target, bool unit, enum dbc_limit l, uint64_t *ret) {
        struct model *m = ctx;
        int i = find(m, target);

        if (i < 0)
                return -ENOENT;
        *ret = m->value[i][l];
        return 0;
}

static int model_write(void *ctx, const char *target, bool unit, enum dbc_limit l, uint64_t value,
                       uint64_t *ret_in_force) {
        struct model *m = ctx;
        int i = find(m, target);

        if (i < 0)
                return -ENOENT;
        m->writes++;
        if (m->writes == m->fail_write)
                return -EIO;
        if (m->fail_restore_of == (unsigned) i + 1 && m->writes > m->fail_write && m->fail_write)
                return -EACCES;
        m->value[i][l] = value;
        snprintf(m->log[m->n_log++], sizeof(m->log[0]), "%s %d %llu", target, (int) l, (unsigned long long) value);
        *ret_in_force = value;
        return 0;
}

static void model_init(struct model *m) {
        static const char *const names[N_TARGETS] = { "/a", "/a/b", "/c", "d.service", "e.slice" };

        *m = (struct model) {};
        for (int i = 0; i < N_TARGETS; i++) {
                m->name[i] = names[i];
                m->value[i][DBC_LIMIT_MEMORY_MAX] = DBC_SIZE_MAX;
                m->value[i][DBC_LIMIT_MEMORY_HIGH] = (uint64_t) (i + 1) << 20;
        }
}

/* Two changes per target: 10 writes. */
static void model_plan(struct model *m, struct dbc_plan *p, const struct dbc_limit_ops *ops) {
        for (int i = 0; i < N_TARGETS; i++) {
                cr_assert_eq(dbc_plan_add(p, ops, m->name[i], i >= 3, "pol", DBC_LIMIT_MEMORY_MAX,
                                          (uint64_t) (i + 10) << 20), 1);
                cr_assert_eq(dbc_plan_add(p, ops, m->name[i], i >= 3, "pol", DBC_LIMIT_MEMORY_HIGH,
                                          (uint64_t) (i + 5) << 20), 1);
        }
}

Test(plan, all_written_in_order) {
        struct model m;
        struct dbc_limit_ops ops = { model_prepare, model_write, &m };
        struct dbc_plan p = {};

        model_init(&m);
        model_plan(&m, &p, &ops);
        cr_assert_eq(p.n, 10);
        cr_assert_eq(dbc_plan_apply(&p, &ops, NULL), 0);
        cr_assert_eq(m.n_log, 10);
        for (size_t i = 0; i < p.n; i++) {
                cr_assert_eq(p.changes[i].state, DBC_CHANGE_WRITTEN);
                cr_assert_eq(p.changes[i].in_force, p.changes[i].new);
        }
        cr_assert_str_eq(m.log[0], "/a 0 10485760");
        cr_assert_str_eq(m.log[9], "e.slice 1 9437184");
        cr_assert_eq(m.value[4][DBC_LIMIT_MEMORY_MAX], 14u << 20);
        dbc_plan_done(&p);
}

Test(plan, failure_at_every_position_restores_everything_before) {
        for (unsigned k = 1; k <= 10; k++) {
                struct model m, orig;
                struct dbc_limit_ops ops = { model_prepare, model_write, &m };
                struct dbc_plan p = {};
                size_t failed = 99;

                model_init(&m);
                orig = m;
                model_plan(&m, &p, &ops);
                m.fail_write = k;

                cr_assert_eq(dbc_plan_apply(&p, &ops, &failed), -EIO, "k=%u", k);
                cr_assert_eq(failed, k - 1, "k=%u", k);
                /* Every value is what it was. */
                cr_assert_eq(memcmp(m.value, orig.value, sizeof(m.value)), 0, "k=%u: a write was not restored", k);
                for (size_t i = 0; i < p.n; i++) {
                        enum dbc_change_state want = i < k - 1 ? DBC_CHANGE_RESTORED :
                                                     i == k - 1 ? DBC_CHANGE_FAILED : DBC_CHANGE_PLANNED;
                        cr_assert_eq(p.changes[i].state, want, "k=%u change %zu", k, i);
                        if (i < k - 1)
                                cr_assert_eq(p.changes[i].in_force, p.changes[i].old);
                }
                cr_assert_eq(p.changes[k - 1].error, -EIO);
                /* k-1 writes, then k-1 restores, last write first. */
                cr_assert_eq(m.n_log, 2 * (k - 1), "k=%u", k);
                for (unsigned j = 0; j + 1 < k; j++) {
                        char want[48];
                        const struct dbc_change *c = &p.changes[k - 2 - j];

                        snprintf(want, sizeof(want), "%s %d %llu", c->target, (int) c->limit,
                                 (unsigned long long) c->old);
                        cr_assert_str_eq(m.log[k - 1 + j], want, "k=%u restore %u", k, j);
                }
                dbc_plan_done(&p);
        }
}

Test(plan, failed_restore_is_reported_and_others_still_restored) {
        struct model m, orig;
        struct dbc_limit_ops ops = { model_prepare, model_write, &m };
        struct dbc_plan p = {};
        size_t failed;

        model_init(&m);
        orig = m;
        model_plan(&m, &p, &ops);
        m.fail_write = 6;               /* /c's memory.high */
        m.fail_restore_of = 2;          /* putting /a/b back fails */

        cr_assert_eq(dbc_plan_apply(&p, &ops, &failed), -EIO);
        cr_assert_eq(failed, 5);
        cr_assert_eq(p.changes[4].state, DBC_CHANGE_RESTORED);
        cr_assert_eq(p.changes[3].state, DBC_CHANGE_RESTORE_FAILED);
        cr_assert_eq(p.changes[3].error, -EACCES);
        cr_assert_eq(p.changes[2].state, DBC_CHANGE_RESTORE_FAILED);
        cr_assert_eq(p.changes[1].state, DBC_CHANGE_RESTORED);
        cr_assert_eq(p.changes[0].state, DBC_CHANGE_RESTORED);
        cr_assert_eq(m.value[0][0], orig.value[0][0]);
        cr_assert_eq(m.value[0][1], orig.value[0][1]);
        cr_assert_eq(m.value[2][0], orig.value[2][0]);
        cr_assert_neq(m.value[1][0], orig.value[1][0]);
        dbc_plan_done(&p);
}

/* A budget below one page is refused before the target is even read: "0%"
 * or "0" on a live slice would OOM-kill everything in it. */
Test(plan, below_one_page_refused) {
        struct model m;
        struct dbc_limit_ops ops = { model_prepare, model_write, &m };
        struct dbc_plan p = {};

        model_init(&m);
        cr_assert_eq(dbc_plan_add(&p, &ops, "/a", false, NULL, DBC_LIMIT_MEMORY_MAX, 0), -EDOM);
        cr_assert_eq(dbc_plan_add(&p, &ops, "/nope", false, NULL, DBC_LIMIT_MEMORY_MAX, 0), -EDOM);
        cr_assert_eq(dbc_plan_add(&p, &ops, "/a", false, NULL, DBC_LIMIT_MEMORY_HIGH, dbc_limit_floor() - 1), -EDOM);
        cr_assert_eq(p.n, 0);
        cr_assert_eq(dbc_plan_add(&p, &ops, "/a", false, NULL, DBC_LIMIT_MEMORY_MAX, dbc_limit_floor()), 1);
        cr_assert_eq(p.n, 1);
        cr_assert_eq(m.writes, 0);
        dbc_plan_done(&p);
}

Test(plan, unchanged_values_are_no_changes) {
        struct model m;
        struct dbc_limit_ops ops = { model_prepare, model_write, &m };
        struct dbc_plan p = {};

        model_init(&m);
        cr_assert_eq(dbc_plan_add(&p, &ops, "/a", false, NULL, DBC_LIMIT_MEMORY_MAX, DBC_SIZE_MAX), 0);
        cr_assert_eq(p.n, 0);
        cr_assert_eq(dbc_plan_add(&p, &ops, "/nope", false, NULL, DBC_LIMIT_MEMORY_MAX, 1 << 20), -ENOENT);
        cr_assert_eq(p.n, 0);
        p.keep_unchanged = true;
        cr_assert_eq(dbc_plan_add(&p, &ops, "/a", false, NULL, DBC_LIMIT_MEMORY_MAX, DBC_SIZE_MAX), 0);
        cr_assert_eq(p.n, 1);
        cr_assert_eq(p.changes[0].state, DBC_CHANGE_UNCHANGED);
        /* An unchanged entry is never written, nor restored. */
        m.fail_write = 1;
        cr_assert_eq(dbc_plan_apply(&p, &ops, NULL), 0);
        cr_assert_eq(m.writes, 0);
        dbc_plan_done(&p);
}

/* ---- the real write step on a fixture tree, failing the k-th write ---- */

static char tree[64];

static void put(const char *rel, const char *content) {
        tree_put(tree, rel, content);
}

static char *get(const char *rel) {
        return tree_get(tree, rel);
}

static void cg(const char *rel, const char *max, const char *high) {
        char p[512], f[512];

        snprintf(p, sizeof(p), "%s/%s", tree, rel);
        cr_assert_eq(mkdir(p, 0755), 0, "%s", p);
        snprintf(f, sizeof(f), "%s/cgroup.procs", rel);
        put(f, "");
        snprintf(f, sizeof(f), "%s/memory.max", rel);
        put(f, max);
        snprintf(f, sizeof(f), "%s/memory.high", rel);
        put(f, high);
}

static void setup(void) {
        strcpy(tree, "/tmp/dbc-plan-XXXXXX");
        cr_assert_not_null(mkdtemp(tree));
        put("cgroup.controllers", "memory\n");
        cg("apps.slice", "max\n", "max\n");
        cg("apps.slice/app-1.scope", "1048576\n", "max\n");
        cg("apps.slice/app-2.scope", "max\n", "524288\n");
        cg("camera.service", "4096\n", "4096\n");
        put("budgets.conf",
            "[policy:apps]\ncgroup = /apps.slice/app-*.scope\nmemory.max = 64M\nmemory.high = 32M\n"
            "[policy:cam]\ncgroup = /camera.service\nmemory.max = 1G\n"
            "[policy:slice]\nunit = apps.slice\nmemory.high = 2G\n");
}

static void teardown(void) {
        char cmd[128];

        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tree);
        cr_assert_eq(system(cmd), 0);
}

struct failing {
        struct dbc_limit_ctx real;
        unsigned writes, fail_write;
};

static int failing_prepare(void *ctx, const char *target, bool unit, enum dbc_limit l, uint64_t *ret) {
        struct failing *f = ctx;

        return dbc_limit_ops_real.prepare(&f->real, target, unit, l, ret);
}

static int failing_write(void *ctx, const char *target, bool unit, enum dbc_limit l, uint64_t value,
                         uint64_t *ret_in_force) {
        struct failing *f = ctx;

        if (++f->writes == f->fail_write)
                return -EIO;
        return dbc_limit_ops_real.write(&f->real, target, unit, l, value, ret_in_force);
}

static const char *const files[] = {
        "apps.slice/memory.max", "apps.slice/memory.high",
        "apps.slice/app-1.scope/memory.max", "apps.slice/app-1.scope/memory.high",
        "apps.slice/app-2.scope/memory.max", "apps.slice/app-2.scope/memory.high",
        "camera.service/memory.max", "camera.service/memory.high",
};

static void load(struct dbc_config **c, struct dbc_root **r) {
        char path[128];
        struct dbc_diags d = {};

        snprintf(path, sizeof(path), "%s/budgets.conf", tree);
        cr_assert_eq(dbc_config_load(path, true, c, &d), 0);
        /* Without systemd the slice resolves by its name. */
        for (size_t i = 0; i < (*c)->n_policies; i++)
                if ((*c)->policies[i].unit)
                        (*c)->policies[i].resolved = strdup("/apps.slice");
        cr_assert_eq(dbc_root_open(tree, r), 0);
}

Test(plan_tree, plans_every_policy_then_writes, .init = setup, .fini = teardown) {
        struct dbc_config *c;
        struct dbc_root *r;
        struct dbc_limit_ctx ctx = {};
        struct dbc_limit_ops ops = dbc_limit_ops_real;
        struct dbc_plan p = {};

        load(&c, &r);
        ctx.root = r;
        ops.ctx = &ctx;
        cr_assert_eq(dbc_plan_config(&p, c, r, NULL, &ops, NULL), 0);
        /* slice high, app-1 max+high, app-2 max+high, camera max: 6 */
        cr_assert_eq(p.n, 6);
        cr_assert_str_eq(p.changes[0].target, "/apps.slice");
        cr_assert_str_eq(p.changes[0].policy, "slice");
        cr_assert_eq(p.changes[0].limit, DBC_LIMIT_MEMORY_HIGH);
        cr_assert_str_eq(p.changes[1].target, "/apps.slice/app-1.scope");
        cr_assert_eq(p.changes[1].old, 1048576);
        cr_assert_str_eq(p.changes[5].target, "/camera.service");
        cr_assert_eq(p.changes[5].new, 1ull << 30);
        /* Planning wrote nothing. */
        cr_assert_str_eq(get("camera.service/memory.max"), "4096\n");

        cr_assert_eq(dbc_plan_apply(&p, &ops, NULL), 0);
        cr_assert_str_eq(get("apps.slice/memory.high"), "2147483648\n");
        cr_assert_str_eq(get("apps.slice/app-2.scope/memory.high"), "33554432\n");
        cr_assert_str_eq(get("camera.service/memory.max"), "1073741824\n");
        cr_assert_str_eq(get("camera.service/memory.high"), "4096\n");
        dbc_plan_done(&p);

        /* Applied: nothing left to do. */
        cr_assert_eq(dbc_plan_config(&p, c, r, NULL, &ops, NULL), 0);
        cr_assert_eq(p.n, 0);
        dbc_plan_done(&p);
        dbc_root_free(r);
        dbc_config_free(c);
}

Test(plan_tree, failure_at_every_write_restores_the_files, .init = setup, .fini = teardown) {
        char before[ELEMENTSOF(files)][64];

        for (size_t i = 0; i < ELEMENTSOF(files); i++)
                strcpy(before[i], get(files[i]));

        for (unsigned k = 1; k <= 6; k++) {
                struct dbc_config *c;
                struct dbc_root *r;
                struct failing f = { .fail_write = k };
                struct dbc_limit_ops ops = { failing_prepare, failing_write, &f };
                struct dbc_plan p = {};
                size_t failed;

                load(&c, &r);
                f.real.root = r;
                cr_assert_eq(dbc_plan_config(&p, c, r, NULL, &ops, NULL), 0);
                cr_assert_eq(p.n, 6);
                cr_assert_eq(dbc_plan_apply(&p, &ops, &failed), -EIO, "k=%u", k);
                cr_assert_eq(failed, k - 1);
                for (size_t i = 0; i < ELEMENTSOF(files); i++) {
                        /* A restored "max" reads back as written: "max\n". */
                        cr_assert_str_eq(get(files[i]), before[i], "k=%u: %s not restored", k, files[i]);
                }
                for (size_t i = 0; i + 1 < k; i++)
                        cr_assert_eq(p.changes[i].state, DBC_CHANGE_RESTORED, "k=%u change %zu", k, i);
                dbc_plan_done(&p);
                dbc_root_free(r);
                dbc_config_free(c);
        }
}

Test(plan_tree, a_bad_target_stops_planning_before_any_write, .init = setup, .fini = teardown) {
        struct dbc_config *c;
        struct dbc_root *r;
        struct dbc_limit_ctx ctx = {};
        struct dbc_limit_ops ops = dbc_limit_ops_real;
        struct dbc_plan p = {};
        struct dbc_plan_error e = {};
        char path[128];

        /* app-3 has no memory controller: the glob matches it too. */
        snprintf(path, sizeof(path), "%s/apps.slice/app-3.scope", tree);
        cr_assert_eq(mkdir(path, 0755), 0);
        put("apps.slice/app-3.scope/cgroup.procs", "");
        load(&c, &r);
        ctx.root = r;
        ops.ctx = &ctx;
        cr_assert_eq(dbc_plan_config(&p, c, r, NULL, &ops, &e), -ENOMEDIUM);
        cr_assert_str_eq(e.target, "/apps.slice/app-3.scope");
        cr_assert_eq(e.limit, DBC_LIMIT_MEMORY_MAX);
        free(e.target);
        dbc_plan_done(&p);
        dbc_root_free(r);
        dbc_config_free(c);
}
