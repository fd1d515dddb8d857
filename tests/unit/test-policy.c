/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <criterion/criterion.h>
#include <string.h>

#include "dmabufctl/config.h"
#include "dmabufctl/policy.h"
#include "dmabufctl/size.h"

#define M (1ULL << 20)

Test(policy, state_names) {
        cr_expect_str_eq(dbc_state_to_string(DBC_STATE_OK), "ok");
        cr_expect_str_eq(dbc_state_to_string(DBC_STATE_WARN), "warn");
        cr_expect_str_eq(dbc_state_to_string(DBC_STATE_OVER), "over");
        cr_expect_null(dbc_state_to_string((enum dbc_state) 9));
}

static struct dbc_policy policies[] = {
        { .name = (char *) "firefox", .cgroup = (char *) "/user.slice/*/app-*-firefox-*.scope" },
        { .name = (char *) "apps", .cgroup = (char *) "/apps.slice/*" },
        { .name = (char *) "cam", .unit = (char *) "camera.service",
          .resolved = (char *) "/system.slice/camera.service" },
        { .name = (char *) "gone", .unit = (char *) "gone.service" },
        { .name = (char *) "first", .cgroup = (char *) "/x.slice/a.service" },
        { .name = (char *) "second", .cgroup = (char *) "/x.slice/*" },
};

static const struct dbc_config config = {
        .policies = policies,
        .n_policies = sizeof(policies) / sizeof(policies[0]),
};

static const char *match(const char *path) {
        const struct dbc_policy *p = dbc_policy_match(&config, path);

        return p ? p->name : "(none)";
}

Test(policy, match) {
        cr_expect_str_eq(match("/user.slice/user-1000.slice/app-gnome-firefox-1234.scope"), "firefox");
        cr_expect_str_eq(match("/user.slice/app-gnome-firefox-1234.scope"), "(none)",
                         "* does not match a '/' (FNM_PATHNAME)");
        cr_expect_str_eq(match("/user.slice/a/b/app-x-firefox-1.scope"), "(none)");
        cr_expect_str_eq(match("/apps.slice/camera.service"), "apps");
        cr_expect_str_eq(match("/apps.slice/camera.service/child"), "(none)");
        cr_expect_str_eq(match("/apps.slice"), "(none)");
        cr_expect_str_eq(match("/system.slice/camera.service"), "cam", "a unit matches its resolved cgroup");
        cr_expect_str_eq(match("/system.slice/camera.service/sub"), "(none)");
        cr_expect_str_eq(match("/system.slice/gone.service"), "(none)", "unresolved units match nothing");
        cr_expect_str_eq(match("/x.slice/a.service"), "first", "configuration order");
        cr_expect_str_eq(match("/x.slice/b.service"), "second");
        cr_expect_null(dbc_policy_match(NULL, "/a"));
        cr_expect_null(dbc_policy_match(&config, NULL));
}

static struct dbc_sample sample(uint64_t current, uint64_t high, bool has_dmabuf, uint64_t dmabuf) {
        return (struct dbc_sample) {
                .has_memory = true,
                .has_current = true,
                .memory_current = current,
                .memory_max = DBC_SIZE_MAX,
                .memory_high = high,
                .has_stat = true,
                .stat = { .dmabuf = dmabuf, .has_dmabuf = has_dmabuf },
        };
}

Test(policy, evaluate_truth_table) {
        const struct dbc_policy full = {
                .name = (char *) "p", .cgroup = (char *) "/p",
                .dmabuf_warn = 100 * M, .dmabuf_max = 200 * M,
                .memory_max = DBC_SIZE_MAX, .memory_high = DBC_SIZE_MAX,
                .set = DBC_POLICY_DMABUF_WARN | DBC_POLICY_DMABUF_MAX,
        };
        const struct dbc_policy only_max = {
                .name = (char *) "m", .cgroup = (char *) "/m",
                .dmabuf_warn = DBC_SIZE_MAX, .dmabuf_max = 200 * M,
                .memory_max = DBC_SIZE_MAX, .memory_high = DBC_SIZE_MAX,
                .set = DBC_POLICY_DMABUF_MAX,
        };
        const struct dbc_policy none = {
                .name = (char *) "n", .cgroup = (char *) "/n",
                .dmabuf_warn = DBC_SIZE_MAX, .dmabuf_max = DBC_SIZE_MAX,
                .memory_max = DBC_SIZE_MAX, .memory_high = DBC_SIZE_MAX,
        };
        const struct {
                const struct dbc_policy *p;
                struct dbc_sample s;
                enum dbc_state want;
                const char *why;
        } t[] = {
                { &full, sample(0, DBC_SIZE_MAX, true, 0), DBC_STATE_OK, "nothing" },
                { &full, sample(0, DBC_SIZE_MAX, true, 100 * M), DBC_STATE_OK, "at dmabuf.warn is not above" },
                { &full, sample(0, DBC_SIZE_MAX, true, 100 * M + 1), DBC_STATE_WARN, "above dmabuf.warn" },
                { &full, sample(0, DBC_SIZE_MAX, true, 200 * M), DBC_STATE_WARN, "at dmabuf.max is not over" },
                { &full, sample(0, DBC_SIZE_MAX, true, 200 * M + 1), DBC_STATE_OVER, "above dmabuf.max" },
                { &full, sample(0, DBC_SIZE_MAX, true, UINT64_MAX), DBC_STATE_OVER, "huge" },
                { &full, sample(10 * M, 5 * M, true, 0), DBC_STATE_WARN, "memory.current above memory.high" },
                { &full, sample(5 * M, 5 * M, true, 0), DBC_STATE_OK, "memory.current at memory.high" },
                { &full, sample(UINT64_MAX - 1, DBC_SIZE_MAX, true, 0), DBC_STATE_OK, "memory.high max: no limit" },
                { &full, sample(10 * M, 5 * M, true, 300 * M), DBC_STATE_OVER, "over wins over warn" },
                { &full, sample(0, DBC_SIZE_MAX, false, 300 * M), DBC_STATE_OK, "no dmabuf figure: never over" },
                { &full, sample(10 * M, 5 * M, false, 300 * M), DBC_STATE_WARN, "no dmabuf figure, memory.high still counts" },
                { &only_max, sample(0, DBC_SIZE_MAX, true, 150 * M), DBC_STATE_OK, "no dmabuf.warn" },
                { &only_max, sample(0, DBC_SIZE_MAX, true, 250 * M), DBC_STATE_OVER, "only dmabuf.max" },
                { &none, sample(0, DBC_SIZE_MAX, true, UINT64_MAX), DBC_STATE_OK, "no limits set" },
                { &none, sample(10 * M, 5 * M, true, 0), DBC_STATE_WARN, "memory.high of the cgroup" },
                { NULL, sample(10 * M, 5 * M, true, UINT64_MAX), DBC_STATE_OK, "always ok without policy" },
        };

        for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
                cr_expect_eq(dbc_policy_evaluate(t[i].p, &t[i].s), t[i].want, "case %zu: %s: got %s",
                             i, t[i].why, dbc_state_to_string(dbc_policy_evaluate(t[i].p, &t[i].s)));
}

Test(policy, evaluate_root_without_memory_current) {
        struct dbc_sample s = sample(10 * M, 5 * M, true, 0);

        s.has_current = false;
        cr_expect_eq(dbc_policy_evaluate(NULL, &s), DBC_STATE_OK);
        cr_expect_eq(dbc_policy_evaluate(&(struct dbc_policy) { .name = (char *) "r", .cgroup = (char *) "/",
                                                                .dmabuf_warn = DBC_SIZE_MAX, .dmabuf_max = DBC_SIZE_MAX },
                                         &s), DBC_STATE_OK);
}

Test(policy, evaluate_without_memory_controller) {
        const struct dbc_policy p = {
                .name = (char *) "p", .cgroup = (char *) "/p",
                .dmabuf_max = 1, .dmabuf_warn = DBC_SIZE_MAX, .memory_max = DBC_SIZE_MAX,
                .memory_high = DBC_SIZE_MAX, .set = DBC_POLICY_DMABUF_MAX,
        };
        const struct dbc_sample s = { .has_memory = false };

        cr_expect_eq(dbc_policy_evaluate(&p, &s), DBC_STATE_OK);
}

Test(policy, protected) {
        char *globs[] = {
                (char *) "/system.slice/sshd.service",
                (char *) "/user.slice/*/session-*.scope",
        };
        const struct dbc_config c = { .protect = globs, .n_protect = 2 };
        const struct dbc_config empty = { 0 };

        cr_expect(dbc_config_is_protected(&c, "/system.slice/sshd.service"));
        cr_expect(dbc_config_is_protected(&c, "/system.slice/sshd.service/child"), "below a protected cgroup");
        cr_expect(dbc_config_is_protected(&c, "/user.slice/user-1000.slice/session-2.scope"));
        cr_expect(dbc_config_is_protected(&c, "/user.slice/user-1000.slice/session-2.scope/a/b"));
        cr_expect_not(dbc_config_is_protected(&c, "/user.slice/user-1000.slice/app-x.scope"));
        cr_expect_not(dbc_config_is_protected(&c, "/system.slice/sshd.service2"));
        cr_expect_not(dbc_config_is_protected(&c, "/system.slice"), "a parent is not protected");
        cr_expect_not(dbc_config_is_protected(&c, "/"));
        cr_expect_not(dbc_config_is_protected(&empty, "/system.slice/sshd.service"));
        cr_expect_not(dbc_config_is_protected(NULL, "/a"));
}

Test(policy, protect_everything) {
        char *globs[] = { (char *) "/" };
        const struct dbc_config c = { .protect = globs, .n_protect = 1 };

        cr_expect(dbc_config_is_protected(&c, "/"));
        cr_expect(dbc_config_is_protected(&c, "/a/b"));
}

/* The daemon contract's precedence: a path or unit beats a glob; between
 * globs the longer literal prefix; then the policy read first. */
static struct dbc_policy prec[] = {
        { .name = (char *) "apps", .cgroup = (char *) "/apps.slice/*" },
        { .name = (char *) "any-scope", .cgroup = (char *) "/apps.slice/*.scope" },
        { .name = (char *) "a-kill", .cgroup = (char *) "/apps.slice/a.scope" },
        { .name = (char *) "app-b", .cgroup = (char *) "/apps.slice/b*" },
        { .name = (char *) "app-b2", .cgroup = (char *) "/apps.slice/b?" },
        { .name = (char *) "c-unit", .unit = (char *) "c.scope", .resolved = (char *) "/apps.slice/c.scope" },
        { .name = (char *) "any-deep", .cgroup = (char *) "/*/d[0-9].scope" },
        { .name = (char *) "d-set", .cgroup = (char *) "/apps.slice/d[0-9].scope" },
};

static const struct dbc_config prec_config = { .policies = prec, .n_policies = sizeof(prec) / sizeof(prec[0]) };

static const char *winner(const char *path) {
        const struct dbc_policy *p = dbc_policy_match(&prec_config, path);

        return p ? p->name : "(none)";
}

Test(policy, precedence_table) {
        static const struct { const char *path, *want; } table[] = {
                { "/apps.slice/a.scope", "a-kill" },    /* path beats two earlier globs */
                { "/apps.slice/x.scope", "apps" },      /* equal prefixes: read first */
                { "/apps.slice/b.scope", "app-b" },     /* "/apps.slice/b" is longer than "/apps.slice/" */
                { "/apps.slice/bx", "app-b" },          /* b* and b? tie on prefix: read first */
                { "/apps.slice/c.scope", "c-unit" },    /* a unit beats the globs */
                { "/apps.slice/d1.scope", "d-set" },    /* "/apps.slice/d" beats "/" though read later */
                { "/system.slice/d1.scope", "any-deep" },
                { "/other", "(none)" },
        };

        for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
                cr_expect_str_eq(winner(table[i].path), table[i].want, "%s", table[i].path);
}

Test(policy, precedence_reasons) {
        enum dbc_precedence why;

        cr_expect_lt(dbc_policy_precedence(&prec[2], &prec[0], &why), 0);
        cr_expect_eq(why, DBC_PRECEDENCE_LITERAL);
        cr_expect_gt(dbc_policy_precedence(&prec[0], &prec[3], &why), 0);
        cr_expect_eq(why, DBC_PRECEDENCE_PREFIX);
        cr_expect_lt(dbc_policy_precedence(&prec[0], &prec[1], &why), 0);
        cr_expect_eq(why, DBC_PRECEDENCE_ORDER);
        cr_expect_eq(dbc_policy_precedence(&prec[5], &prec[5], &why), 0);
        cr_expect_str_eq(dbc_precedence_to_string(DBC_PRECEDENCE_LITERAL), "a path or unit beats a glob");
}

Test(policy, match_next_lists_every_claimant) {
        const struct dbc_policy *p = NULL;
        const char *names[8];
        size_t n = 0;

        while ((p = dbc_policy_match_next(&prec_config, "/apps.slice/a.scope", p)))
                names[n++] = p->name;
        cr_assert_eq(n, 3);
        cr_expect_str_eq(names[0], "apps");
        cr_expect_str_eq(names[1], "any-scope");
        cr_expect_str_eq(names[2], "a-kill");
}
