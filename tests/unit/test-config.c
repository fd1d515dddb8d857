/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dmabufctl/config.h"
#include "dmabufctl/macro.h"
#include "dmabufctl/size.h"

/* Every test runs in a temporary directory, so file names in problems are
 * short and exact: "dmabufctl.conf:3: ...". */
static char dir[64];
static char oldcwd[4096];

static void setup(void) {
        strcpy(dir, "/tmp/dbc-config-XXXXXX");
        cr_assert_not_null(mkdtemp(dir));
        cr_assert_not_null(getcwd(oldcwd, sizeof(oldcwd)));
        cr_assert_eq(chdir(dir), 0);
}

static void teardown(void) {
        char cmd[128];

        cr_assert_eq(chdir(oldcwd), 0);
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
        cr_assert_eq(system(cmd), 0);
}

TestSuite(config, .init = setup, .fini = teardown);

static void put(const char *name, const char *content) {
        FILE *f;

        char parent[256];

        /* every directory on the way (mkdir -p) */
        for (const char *sl = strchr(name, '/'); sl; sl = strchr(sl + 1, '/')) {
                snprintf(parent, sizeof(parent), "%.*s", (int) (sl - name), name);
                (void) mkdir(parent, 0755);
        }
        f = fopen(name, "we");
        cr_assert_not_null(f, "%s", name);
        fputs(content, f);
        fclose(f);
}

/* All problems as one text, one "FILE:LINE: message" per line. */
static char *diags_text(const struct dbc_diags *d) {
        char *buf = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);

        cr_assert_not_null(f);
        for (size_t i = 0; i < d->n; i++)
                if (d->items[i].line)
                        fprintf(f, "%s:%u: %s\n", d->items[i].file, d->items[i].line, d->items[i].message);
                else
                        fprintf(f, "%s: %s\n", d->items[i].file, d->items[i].message);
        fclose(f);
        return buf;
}

/* Load content as dmabufctl.conf; expect exactly these problems. */
static void expect(const char *content, const char *problems) {
        _cleanup_(dbc_diags_clear) struct dbc_diags d = {};
        struct dbc_config *c = NULL;
        _cleanup_free_ char *text = NULL;
        int k;

        put("dmabufctl.conf", content);
        k = dbc_config_load("dmabufctl.conf", true, &c, &d);
        text = diags_text(&d);
        cr_expect_str_eq(text, problems, "for:\n%s\ngot:\n%s", content, text);
        cr_expect_eq(k, problems[0] ? -EINVAL : 0);
        if (k == 0)
                dbc_config_free(c);
}

static struct dbc_config *load_ok_path(const char *path) {
        _cleanup_(dbc_diags_clear) struct dbc_diags d = {};
        _cleanup_free_ char *text = NULL;
        struct dbc_config *c = NULL;
        int k;

        k = dbc_config_load(path, false, &c, &d);
        text = diags_text(&d);
        cr_assert_eq(k, 0, "%s", text);
        cr_assert_eq(d.n, 0);
        return c;
}

static struct dbc_config *load_ok(void) {
        return load_ok_path("dmabufctl.conf");
}

Test(config, defaults_without_file) {
        struct dbc_config *c = load_ok();

        cr_expect_str_eq(c->path, "dmabufctl.conf");
        cr_expect_eq(c->interval_ms, 1000);
        cr_expect_eq(c->grace_ms, 2000);
        cr_expect_eq(c->cooldown_ms, 10000);
        cr_expect_eq(c->metrics_interval_ms, 15000);
        cr_expect_str_eq(c->metrics_file, "/run/dmabufctl/metrics.prom");
        cr_expect_null(c->alert_hook);
        cr_expect_str_eq(c->run_parent, "/dmabufctl.slice");
        cr_expect_eq(c->n_protect, 0);
        cr_expect_eq(c->n_policies, 0);
        dbc_config_free(c);
}

Test(config, config_new_is_defaults) {
        struct dbc_config *c = NULL;

        cr_assert_eq(dbc_config_new(&c), 0);
        cr_expect_eq(c->grace_ms, 2000);
        cr_expect_eq(c->n_policies, 0);
        dbc_config_free(c);
        dbc_config_free(NULL);
        dbc_diags_clear(NULL);
}

Test(config, missing_file_when_it_must_exist) {
        _cleanup_(dbc_diags_clear) struct dbc_diags d = {};
        _cleanup_free_ char *text = NULL;
        struct dbc_config *c = (void *) 1;

        cr_assert_eq(dbc_config_load("dmabufctl.conf", true, &c, &d), -EINVAL);
        cr_expect_eq(c, (void *) 1, "output written on failure");
        text = diags_text(&d);
        cr_expect_str_eq(text, "dmabufctl.conf: cannot open: No such file or directory (ENOENT)\n");
}

Test(config, directory_instead_of_file) {
        cr_assert_eq(mkdir("dmabufctl.conf.d", 0755), 0);
        _cleanup_(dbc_diags_clear) struct dbc_diags d = {};
        _cleanup_free_ char *text = NULL;
        struct dbc_config *c;

        cr_assert_eq(dbc_config_load("dmabufctl.conf.d", false, &c, &d), -EINVAL);
        text = diags_text(&d);
        cr_expect_str_eq(text, "dmabufctl.conf.d: cannot read: Is a directory (EISDIR)\n");
}

/* Root reads everything: drop to nobody in a child to see EACCES. */
Test(config, unreadable_file_names_eacces) {
        pid_t pid;
        int status;

        put("dmabufctl.conf", "[daemon]\n");
        cr_assert_eq(chmod("dmabufctl.conf", 0), 0);
        cr_assert_eq(chmod(dir, 0755), 0);
        pid = fork();
        cr_assert_geq(pid, 0);
        if (pid == 0) {
                struct dbc_diags d = {};
                struct dbc_config *c;
                char *text;

                if (geteuid() == 0 && setresuid(65534, 65534, 65534) < 0)
                        _exit(3);
                if (dbc_config_load("dmabufctl.conf", true, &c, &d) != -EINVAL)
                        _exit(1);
                text = diags_text(&d);
                _exit(streq(text, "dmabufctl.conf: cannot open: Permission denied (EACCES)\n") ? 0 : 2);
        }
        cr_assert_eq(waitpid(pid, &status, 0), pid);
        cr_expect(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child status %d", status);
}

Test(config, full_example) {
        struct dbc_config *c;
        const struct dbc_policy *p;

        put("dmabufctl.conf",
            "# comment\n"
            "; comment too\n"
            "[daemon]\n"
            "interval = 250ms\n"
            "grace = 3s\n"
            "cooldown = 1min\n"
            "metrics-file = /run/x/metrics.prom\n"
            "metrics-interval = 1min\n"
            "alert-hook = /usr/libexec/dmabufctl/alert\n"
            "protect = /system.slice/sshd.service  //user.slice/*/ ; inline comment\n"
            "run-parent = dmabufctl.slice/\n"
            "\n"
            "[policy:camera]\n"
            "cgroup = /system.slice/camera-hal.service\n"
            "memory.max = 512M\n"
            "memory.high = 448M\n"
            "dmabuf.warn = 192M\n"
            "dmabuf.max = 256M\n"
            "action = kill\n"
            "\n"
            "  [policy:apps]\n"
            "    unit = apps.slice\n"
            "dmabuf.max = max\n");
        c = load_ok();
        cr_expect_eq(c->interval_ms, 250);
        cr_expect_eq(c->grace_ms, 3000);
        cr_expect_eq(c->cooldown_ms, 60000);
        cr_expect_eq(c->metrics_interval_ms, 60000);
        cr_expect_str_eq(c->metrics_file, "/run/x/metrics.prom");
        cr_expect_str_eq(c->alert_hook, "/usr/libexec/dmabufctl/alert");
        cr_assert_eq(c->n_protect, 2);
        cr_expect_str_eq(c->protect[0], "/system.slice/sshd.service");
        cr_expect_str_eq(c->protect[1], "/user.slice/*");
        cr_expect_str_eq(c->run_parent, "/dmabufctl.slice");
        cr_assert_eq(c->n_policies, 2);

        p = &c->policies[0];
        cr_expect_str_eq(p->name, "camera");
        cr_expect_str_eq(p->cgroup, "/system.slice/camera-hal.service");
        cr_expect_null(p->unit);
        cr_expect_null(p->resolved);
        cr_expect_eq(p->memory_max, 512ULL << 20);
        cr_expect_eq(p->memory_high, 448ULL << 20);
        cr_expect_eq(p->dmabuf_warn, 192ULL << 20);
        cr_expect_eq(p->dmabuf_max, 256ULL << 20);
        cr_expect_eq(p->set, DBC_POLICY_MEMORY_MAX | DBC_POLICY_MEMORY_HIGH |
                             DBC_POLICY_DMABUF_WARN | DBC_POLICY_DMABUF_MAX);
        cr_expect_eq(p->action, DBC_ACTION_KILL);
        cr_expect_str_eq(p->file, "dmabufctl.conf");
        cr_expect_eq(p->line, 13);

        p = &c->policies[1];
        cr_expect_str_eq(p->name, "apps");
        cr_expect_null(p->cgroup);
        cr_expect_str_eq(p->unit, "apps.slice");
        cr_expect_eq(p->set, DBC_POLICY_DMABUF_MAX);
        cr_expect_eq(p->dmabuf_max, DBC_SIZE_MAX);
        cr_expect_eq(p->memory_max, DBC_SIZE_MAX, "unset limits read as max");
        cr_expect_eq(p->action, DBC_ACTION_ALERT, "alert is the default action");
        cr_expect_eq(p->line, 21);
        dbc_config_free(c);
}

Test(config, crlf_bom_and_colon) {
        struct dbc_config *c;

        put("dmabufctl.conf", "\xef\xbb\xbf[policy:a]\r\ncgroup: /a\r\n");
        c = load_ok();
        cr_assert_eq(c->n_policies, 1);
        cr_expect_str_eq(c->policies[0].cgroup, "/a");
        dbc_config_free(c);
}

Test(config, long_protect_line) {
        char line[8192] = "[daemon]\nprotect =";
        struct dbc_config *c;

        for (int i = 0; i < 200; i++)
                strcat(line, " /system.slice/x.service");
        strcat(line, "\n[policy:a]\ncgroup = /a\n");
        put("dmabufctl.conf", line);
        c = load_ok();
        cr_expect_eq(c->n_protect, 200);
        cr_expect_eq(c->n_policies, 1);
        dbc_config_free(c);
}

/* Each kind of problem, with its exact text. */

Test(config, unknown_section) {
        expect("[deamon]\ninterval = 1s\n[policy]\n",
               "dmabufctl.conf:1: unknown section [deamon] (expected [daemon] or [policy:NAME])\n"
               "dmabufctl.conf:3: unknown section [policy] (expected [daemon] or [policy:NAME])\n");
}

Test(config, unknown_key) {
        expect("[daemon]\nintervall = 1s\n[policy:a]\ncgroup = /a\nmemory.min = 1M\n",
               "dmabufctl.conf:2: unknown key \"intervall\" in [daemon]\n"
               "dmabufctl.conf:5: unknown key \"memory.min\" in [policy:a]\n");
}

Test(config, key_outside_section) {
        expect("interval = 1s\n",
               "dmabufctl.conf:1: key \"interval\" outside of any section\n");
}

Test(config, bad_size) {
        expect("[policy:a]\ncgroup = /a\nmemory.max = 12Q\nmemory.high = 1MB\n"
               "dmabuf.warn = -1\ndmabuf.max = 99999999999T\n",
               "dmabufctl.conf:3: memory.max: invalid size \"12Q\": unknown unit \"Q\" (bytes, K, M, G, T, P, E, max or N%)\n"
               "dmabufctl.conf:4: memory.high: invalid size \"1MB\": unknown unit \"MB\" (bytes, K, M, G, T, P, E, max or N%)\n"
               "dmabufctl.conf:5: dmabuf.warn: invalid size \"-1\": negative \"-1\" (bytes, K, M, G, T, P, E, max)\n"
               "dmabufctl.conf:6: dmabuf.max: invalid size \"99999999999T\": too large: \"99999999999T\" (bytes, K, M, G, T, P, E, max)\n");
}

Test(config, bad_duration) {
        expect("[daemon]\ninterval = 5\ngrace = 2d\ncooldown = 99999999999999999999ms\n",
               "dmabufctl.conf:2: interval: invalid duration \"5\": a unit is required after \"5\" (numbers with us, ms, s, min, h)\n"
               "dmabufctl.conf:3: grace: invalid duration \"2d\": unknown unit \"d\" (numbers with us, ms, s, min, h)\n"
               "dmabufctl.conf:4: cooldown: invalid duration \"99999999999999999999ms\": too large: \"99999999999999999999ms\" (numbers with us, ms, s, min, h)\n");
}

Test(config, zero_interval) {
        expect("[daemon]\ninterval = 0s\ngrace = 0s\n",
               "dmabufctl.conf:2: interval: must be longer than 0\n");
        expect("[daemon]\nmetrics-interval = 0ms\n",
               "dmabufctl.conf:2: metrics-interval: must be longer than 0\n");
        expect("[daemon]\nmetrics-interval = 15\n",
               "dmabufctl.conf:2: metrics-interval: invalid duration \"15\": a unit is required after \"15\" (numbers with us, ms, s, min, h)\n");
}

Test(config, bad_action) {
        expect("[policy:a]\ncgroup = /a\naction = reboot\n",
               "dmabufctl.conf:3: action: invalid action \"reboot\" (alert, freeze or kill)\n");
}

Test(config, empty_value) {
        expect("[daemon]\nprotect =\n[policy:a]\ncgroup = /a\nmemory.max = ; nothing\n",
               "dmabufctl.conf:2: protect: empty value\n"
               "dmabufctl.conf:5: memory.max: empty value\n");
}

Test(config, both_cgroup_and_unit) {
        expect("[policy:a]\ncgroup = /a\nunit = a.service\n",
               "dmabufctl.conf:3: policy a: both cgroup and unit are set (cgroup at line 2); use one\n");
}

Test(config, neither_cgroup_nor_unit) {
        expect("[policy:a]\nmemory.max = 1G\n[policy:b]\n",
               "dmabufctl.conf:1: policy a: neither cgroup nor unit is set\n"
               "dmabufctl.conf:3: policy b: neither cgroup nor unit is set\n");
}

Test(config, warn_above_max) {
        expect("[policy:a]\ncgroup = /a\ndmabuf.warn = 300M\ndmabuf.max = 256M\n",
               "dmabufctl.conf:3: policy a: dmabuf.warn (300M) is above dmabuf.max (256M)\n");
        expect("[policy:a]\ncgroup = /a\ndmabuf.warn = 256M\ndmabuf.max = 256M\n", "");
}

Test(config, high_above_max) {
        expect("[policy:a]\ncgroup = /a\nmemory.max = 1G\nmemory.high = 2G\n",
               "dmabufctl.conf:4: policy a: memory.high (2.0G) is above memory.max (1.0G)\n");
        expect("[policy:a]\ncgroup = /a\nmemory.max = max\nmemory.high = 2G\n", "");
}

Test(config, same_cgroup_twice) {
        expect("[policy:a]\ncgroup = /apps.slice/x.service\n"
               "[policy:b]\ncgroup = apps.slice//./x.service/\n",
               "dmabufctl.conf:4: policy b: /apps.slice/x.service is already claimed by policy a at dmabufctl.conf:2\n");
}

Test(config, same_glob_twice) {
        expect("[policy:a]\ncgroup = /user.slice/*/app-*.scope\n"
               "[policy:b]\ncgroup = /user.slice/*/app-*.scope\n"
               "[policy:c]\ncgroup = /user.slice/*/app-*-firefox-*.scope\n",
               "dmabufctl.conf:4: policy b: /user.slice/*/app-*.scope is already claimed by policy a at dmabufctl.conf:2\n");
}

Test(config, same_unit_twice) {
        expect("[policy:a]\nunit = cam.service\n[policy:b]\nunit = cam.service\n",
               "dmabufctl.conf:4: policy b: cam.service is already claimed by policy a at dmabufctl.conf:2\n");
}

Test(config, slice_unit_and_its_path) {
        expect("[policy:a]\nunit = apps-camera.slice\n[policy:b]\ncgroup = /apps.slice/apps-camera.slice\n",
               "dmabufctl.conf:4: policy b: /apps.slice/apps-camera.slice is already claimed by policy a at dmabufctl.conf:2\n");
}

Test(config, dotdot_in_cgroup) {
        expect("[daemon]\nrun-parent = /a/../..\n[policy:a]\ncgroup = /apps.slice/../../etc\n",
               "dmabufctl.conf:2: run-parent: \"/a/../..\" leaves the root (\"..\")\n"
               "dmabufctl.conf:4: cgroup: \"/apps.slice/../../etc\" leaves the root (\"..\")\n");
}

Test(config, run_parent_is_no_pattern) {
        expect("[daemon]\nrun-parent = /x/*.slice\n",
               "dmabufctl.conf:2: run-parent: a cgroup path, not a pattern: \"/x/*.slice\"\n");
}

Test(config, paths_must_be_absolute) {
        expect("[daemon]\nmetrics-file = metrics.prom\nalert-hook = alert.sh\n",
               "dmabufctl.conf:2: metrics-file: not an absolute path \"metrics.prom\"\n"
               "dmabufctl.conf:3: alert-hook: not an absolute path \"alert.sh\"\n");
}

Test(config, bad_unit_name) {
        expect("[policy:a]\nunit = camera\n[policy:b]\nunit = a--b.slice\n"
               "[policy:c]\nunit = getty@.service\n[policy:d]\nunit = /system.slice/x.service\n",
               "dmabufctl.conf:2: unit: invalid unit name \"camera\" (NAME.service, NAME.scope or NAME.slice)\n"
               "dmabufctl.conf:4: unit: invalid unit name \"a--b.slice\" (NAME.service, NAME.scope or NAME.slice)\n"
               "dmabufctl.conf:6: unit: invalid unit name \"getty@.service\" (NAME.service, NAME.scope or NAME.slice)\n"
               "dmabufctl.conf:8: unit: invalid unit name \"/system.slice/x.service\" (NAME.service, NAME.scope or NAME.slice)\n");
}

Test(config, duplicate_key) {
        expect("[daemon]\ngrace = 1s\ngrace = 2s\n[policy:a]\ncgroup = /a\naction = kill\naction = freeze\n",
               "dmabufctl.conf:3: duplicate key \"grace\" in [daemon], first at line 2\n"
               "dmabufctl.conf:7: duplicate key \"action\" in [policy:a], first at line 6\n");
}

Test(config, section_twice_in_a_file_is_one_section) {
        expect("[policy:a]\ncgroup = /a\n[daemon]\n[policy:a]\ncgroup = /b\nmemory.max = 1G\n",
               "dmabufctl.conf:5: duplicate key \"cgroup\" in [policy:a], first at line 2\n");
}

Test(config, invalid_policy_name) {
        expect("[policy:a b]\ncgroup = /a\n[policy:]\n[policy:a/b]\n"
               "[policy:xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx]\n"
               "[policy:ok-1_2.3@x]\ncgroup = /ok\n",
               "dmabufctl.conf:1: invalid policy name \"a b\" (1 to 64 letters, digits, '-', '_', '.', '@')\n"
               "dmabufctl.conf:3: invalid policy name \"\" (1 to 64 letters, digits, '-', '_', '.', '@')\n"
               "dmabufctl.conf:4: invalid policy name \"a/b\" (1 to 64 letters, digits, '-', '_', '.', '@')\n"
               "dmabufctl.conf:5: invalid policy name \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\" "
               "(1 to 64 letters, digits, '-', '_', '.', '@')\n");
}

Test(config, malformed_lines) {
        expect("[daemon\n[daemon] junk\n[daemon]\njust words\n= 5\n  continued = no\n  more words\n",
               "dmabufctl.conf:1: malformed section header (no closing ']')\n"
               "dmabufctl.conf:2: malformed section header (text after ']')\n"
               "dmabufctl.conf:4: malformed line (expected [SECTION], KEY = VALUE or a comment)\n"
               "dmabufctl.conf:5: malformed line (no key before '=')\n"
               "dmabufctl.conf:6: unknown key \"continued\" in [daemon]\n"
               "dmabufctl.conf:7: malformed line (expected [SECTION], KEY = VALUE or a comment)\n");
}

Test(config, keys_of_a_bad_section_are_not_reported_again) {
        expect("[nope]\nfoo = 1\nbar = 2\n[daemon]\ngrace = 1s\n",
               "dmabufctl.conf:1: unknown section [nope] (expected [daemon] or [policy:NAME])\n");
}

Test(config, hash_is_no_inline_comment) {
        expect("[daemon]\ngrace = 1s # one second\n",
               "dmabufctl.conf:2: grace: invalid duration \"1s # one second\": not a number \"#\" (numbers with us, ms, s, min, h)\n");
}

Test(config, nul_byte) {
        FILE *f = fopen("dmabufctl.conf", "we");
        _cleanup_(dbc_diags_clear) struct dbc_diags d = {};
        _cleanup_free_ char *text = NULL;
        struct dbc_config *c;

        fwrite("[daemon]\ngr\0ace = 1s\ngrace = x\n", 1, 31, f);
        fclose(f);
        cr_assert_eq(dbc_config_load("dmabufctl.conf", true, &c, &d), -EINVAL);
        text = diags_text(&d);
        cr_expect_str_eq(text,
                         "dmabufctl.conf:2: line contains a NUL byte\n"
                         "dmabufctl.conf:3: grace: invalid duration \"x\": not a number \"x\" (numbers with us, ms, s, min, h)\n");
}

Test(config, line_too_long) {
        size_t n = 70000;
        char *big = malloc(n + 64);
        _cleanup_(dbc_diags_clear) struct dbc_diags d = {};
        struct dbc_config *c;

        strcpy(big, "[daemon]\nprotect = ");
        memset(big + strlen(big), 'x', n);
        strcpy(big + 19 + n, "\ngrace = x\n");
        put("dmabufctl.conf", big);
        free(big);
        cr_assert_eq(dbc_config_load("dmabufctl.conf", true, &c, &d), -EINVAL);
        cr_assert_eq(d.n, 2);
        cr_expect_eq(d.items[0].line, 2);
        cr_expect(strneq(d.items[0].message, "line too long (more than ", 25), "%s", d.items[0].message);
        cr_expect_eq(d.items[1].line, 3, "line numbers stay right after a long line");
}

Test(config, every_problem_at_once) {
        expect("[daemon]\n"
               "interval = 5\n"
               "bogus = 1\n"
               "[policy:cam]\n"
               "cgroup = /a\n"
               "unit = a.service\n"
               "memory.max = lots\n"
               "dmabuf.warn = 2G\n"
               "dmabuf.max = 1G\n"
               "action = nuke\n"
               "[policy:dup]\n"
               "cgroup = /a\n"
               "[what]\n"
               "garbage\n",
               "dmabufctl.conf:2: interval: invalid duration \"5\": a unit is required after \"5\" (numbers with us, ms, s, min, h)\n"
               "dmabufctl.conf:3: unknown key \"bogus\" in [daemon]\n"
               "dmabufctl.conf:6: policy cam: both cgroup and unit are set (cgroup at line 5); use one\n"
               "dmabufctl.conf:7: memory.max: invalid size \"lots\": not a number \"lots\" (bytes, K, M, G, T, P, E, max or N%)\n"
               "dmabufctl.conf:8: policy cam: dmabuf.warn (2.0G) is above dmabuf.max (1.0G)\n"
               "dmabufctl.conf:10: action: invalid action \"nuke\" (alert, freeze or kill)\n"
               "dmabufctl.conf:12: policy dup: /a is already claimed by policy cam at dmabufctl.conf:5\n"
               "dmabufctl.conf:13: unknown section [what] (expected [daemon] or [policy:NAME])\n"
               "dmabufctl.conf:14: malformed line (expected [SECTION], KEY = VALUE or a comment)\n");
}

/* Drop-ins. */

Test(config, dropins_override_in_lexical_order) {
        struct dbc_config *c;
        const struct dbc_policy *p;

        put("dmabufctl.conf",
            "[daemon]\ngrace = 1s\n"
            "[policy:cam]\ncgroup = /cam\nmemory.max = 1G\ndmabuf.max = 100M\n");
        put("policies.d/20-b.conf", "[policy:cam]\nmemory.max = 3G\n[daemon]\ngrace = 3s\n");
        put("policies.d/100-a.conf", "[policy:cam]\nmemory.max = 2G\naction = freeze\n"
                                     "[policy:new]\ncgroup = /new\n[daemon]\ngrace = 2s\n");
        put("policies.d/30-c.conf.disabled", "[nonsense\n");
        put("policies.d/.40-hidden.conf", "[nonsense\n");
        cr_assert_eq(mkdir("policies.d/50-dir.conf", 0755), 0);
        c = load_ok();
        cr_expect_eq(c->grace_ms, 3000, "20-b.conf comes after 100-a.conf");
        cr_assert_eq(c->n_policies, 2);
        p = &c->policies[0];
        cr_expect_str_eq(p->name, "cam");
        cr_expect_eq(p->memory_max, 3ULL << 30);
        cr_expect_eq(p->dmabuf_max, 100ULL << 20, "keys not overridden stay");
        cr_expect_eq(p->action, DBC_ACTION_FREEZE);
        cr_expect_str_eq(p->file, "dmabufctl.conf");
        cr_expect_eq(p->line, 3);
        cr_expect_str_eq(c->policies[1].name, "new");
        cr_expect_str_eq(c->policies[1].file, "policies.d/100-a.conf");
        dbc_config_free(c);
}

Test(config, dropin_retargets_a_policy) {
        struct dbc_config *c;

        put("dmabufctl.conf", "[policy:cam]\ncgroup = /cam\n");
        put("policies.d/10.conf", "[policy:cam]\nunit = camera-hal.service\n");
        c = load_ok();
        cr_expect_null(c->policies[0].cgroup);
        cr_expect_str_eq(c->policies[0].unit, "camera-hal.service");
        dbc_config_free(c);
}

Test(config, dropins_without_main_file) {
        struct dbc_config *c;

        put("policies.d/10.conf", "[policy:cam]\ncgroup = /cam\n");
        c = load_ok();
        cr_expect_eq(c->n_policies, 1);
        dbc_config_free(c);
}

Test(config, problems_in_every_file_sorted_by_file) {
        put("policies.d/20.conf", "[policy:b]\ncgroup = /a\nfoo = 1\n");
        put("policies.d/10.conf", "[policy:c]\naction = x\n");
        expect("[policy:a]\ncgroup = /a\n[daemon]\ngrace = 1\n",
               "dmabufctl.conf:4: grace: invalid duration \"1\": a unit is required after \"1\" (numbers with us, ms, s, min, h)\n"
               "policies.d/10.conf:1: policy c: neither cgroup nor unit is set\n"
               "policies.d/10.conf:2: action: invalid action \"x\" (alert, freeze or kill)\n"
               "policies.d/20.conf:2: policy b: /a is already claimed by policy a at dmabufctl.conf:2\n"
               "policies.d/20.conf:3: unknown key \"foo\" in [policy:b]\n");
}

Test(config, same_key_in_two_files_is_no_duplicate) {
        put("policies.d/10.conf", "[policy:a]\nmemory.max = 2G\n");
        expect("[policy:a]\ncgroup = /a\nmemory.max = 1G\nmemory.high = 1536M\n", "");
}

Test(config, limits_checked_across_files) {
        put("policies.d/10.conf", "[policy:a]\ndmabuf.max = 100M\n");
        expect("[policy:a]\ncgroup = /a\ndmabuf.warn = 200M\ndmabuf.max = 300M\n",
               "dmabufctl.conf:3: policy a: dmabuf.warn (200M) is above dmabuf.max (100M)\n");
}

Test(config, unreadable_dropin_dir) {
        pid_t pid;
        int status;

        cr_assert_eq(mkdir("policies.d", 0), 0);
        cr_assert_eq(chmod(dir, 0755), 0);
        pid = fork();

        cr_assert_geq(pid, 0);
        if (pid == 0) {
                struct dbc_diags d = {};
                struct dbc_config *c;

                if (geteuid() == 0 && setresuid(65534, 65534, 65534) < 0)
                        _exit(3);
                if (dbc_config_load("dmabufctl.conf", false, &c, &d) != -EINVAL)
                        _exit(1);
                _exit(streq(diags_text(&d), "policies.d: cannot open: Permission denied (EACCES)\n") ? 0 : 2);
        }
        cr_assert_eq(waitpid(pid, &status, 0), pid);
        cr_expect(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child status %d", status);
}

Test(config, actions) {
        cr_expect_str_eq(dbc_action_to_string(DBC_ACTION_ALERT), "alert");
        cr_expect_str_eq(dbc_action_to_string(DBC_ACTION_FREEZE), "freeze");
        cr_expect_str_eq(dbc_action_to_string(DBC_ACTION_KILL), "kill");
        cr_expect_null(dbc_action_to_string((enum dbc_action) 7));
        cr_expect_eq(dbc_action_from_string("alert"), DBC_ACTION_ALERT);
        cr_expect_eq(dbc_action_from_string("freeze"), DBC_ACTION_FREEZE);
        cr_expect_eq(dbc_action_from_string("kill"), DBC_ACTION_KILL);
        cr_expect_eq(dbc_action_from_string("Kill"), -EINVAL);
        cr_expect_eq(dbc_action_from_string(""), -EINVAL);
}

/* The configuration contract's layers, systemd style. */
static struct dbc_config *load_layers(void) {
        struct dbc_config_source src = { .dirs = { .vendor = "usr", .admin = "etc", .runtime = "run" } };
        _cleanup_(dbc_diags_clear) struct dbc_diags d = {};
        struct dbc_config *c = NULL;
        _cleanup_free_ char *text = NULL;
        int k = dbc_config_load_from(&src, &c, &d);

        text = diags_text(&d);
        cr_assert_eq(k, 0, "%s", text);
        return c;
}

static void expect_files(const struct dbc_config *c, const char *const *want, size_t n) {
        cr_assert_eq(c->n_files, n);
        for (size_t i = 0; i < n; i++)
                cr_expect_str_eq(c->files[i], want[i]);
}

Test(config, layers_mask_by_name_and_read_in_name_order) {
        struct dbc_config *c;

        put("usr/dmabufctl.conf", "[daemon]\ngrace = 5s\n");
        put("usr/policies.d/10-vendor.conf", "[policy:v]\ncgroup = /vendor\n");
        put("usr/policies.d/50-shared.conf", "[policy:shared]\ncgroup = /from-usr\n");
        put("usr/policies.d/70-run-wins.conf", "[policy:r]\ncgroup = /usr\n");
        put("etc/policies.d/50-shared.conf", "[policy:shared]\ncgroup = /from-etc\n");
        put("etc/policies.d/20-admin.conf", "[policy:a]\ncgroup = /admin\n");
        put("etc/policies.d/70-run-wins.conf", "[policy:r]\ncgroup = /etc\n");
        put("run/policies.d/70-run-wins.conf", "[policy:r]\ncgroup = /run\n");
        put("run/policies.d/05-run.conf", "[policy:early]\ncgroup = /early\n");
        c = load_layers();
        static const char *const want[] = {
                "usr/dmabufctl.conf",   /* no /etc main file: the vendor's */
                "run/policies.d/05-run.conf",
                "usr/policies.d/10-vendor.conf",
                "etc/policies.d/20-admin.conf",
                "etc/policies.d/50-shared.conf",
                "run/policies.d/70-run-wins.conf",
        };
        expect_files(c, want, sizeof(want) / sizeof(want[0]));
        cr_expect_eq(c->grace_ms, 5000);
        cr_assert_eq(c->n_policies, 5);
        cr_expect_str_eq(c->policies[0].name, "early");
        cr_expect_str_eq(c->policies[3].cgroup, "/from-etc");
        cr_expect_str_eq(c->policies[4].cgroup, "/run");
        dbc_config_free(c);
}

Test(config, layers_dev_null_masks) {
        struct dbc_config *c;

        put("usr/dmabufctl.conf", "[daemon]\ngrace = 5s\n");
        put("usr/policies.d/10-vendor.conf", "[policy:v]\ncgroup = /vendor\n");
        put("etc/policies.d/20-admin.conf", "[policy:a]\ncgroup = /admin\n");
        cr_assert_eq(symlink("/dev/null", "etc/policies.d/10-vendor.conf"), 0);
        cr_assert_eq(mkdir("run", 0755), 0);
        cr_assert_eq(mkdir("run/policies.d", 0755), 0);
        cr_assert_eq(symlink("/dev/null", "run/policies.d/20-admin.conf"), 0);
        /* /etc's main file masked: neither it nor the vendor's is read */
        cr_assert_eq(symlink("/dev/null", "etc/dmabufctl.conf"), 0);
        c = load_layers();
        cr_expect_eq(c->n_files, 0);
        cr_expect_eq(c->n_policies, 0);
        cr_expect_eq(c->grace_ms, 2000, "the defaults");
        dbc_config_free(c);
}

Test(config, layers_admin_main_file_wins) {
        struct dbc_config *c;

        put("usr/dmabufctl.conf", "[daemon]\ngrace = 5s\n");
        put("etc/dmabufctl.conf", "[daemon]\ngrace = 7s\n");
        c = load_layers();
        static const char *const want[] = { "etc/dmabufctl.conf" };
        expect_files(c, want, 1);
        cr_expect_eq(c->grace_ms, 7000, "/etc replaces the vendor file whole");
        dbc_config_free(c);
}

/* --config PATH: the drop-ins beside PATH only, never the layers. */
Test(config, config_path_reads_only_its_own_dropins) {
        struct dbc_config *c;

        put("etc/dmabufctl.conf", "[daemon]\ngrace = 7s\n");
        put("run/policies.d/10-run.conf", "[policy:r]\ncgroup = /run\n");
        put("other/x.conf", "[daemon]\ngrace = 1s\n");
        put("other/policies.d/10-o.conf", "[policy:o]\ncgroup = /o\n");
        setenv("DMABUFCTL_RUNTIME_DIR", "run", 1);
        setenv("DMABUFCTL_CONFIG_DIR", "etc", 1);
        c = load_ok_path("other/x.conf");
        static const char *const want[] = { "other/x.conf", "other/policies.d/10-o.conf" };
        expect_files(c, want, 2);
        dbc_config_free(c);
        /* and the default layers come from the environment (fixture tests) */
        struct dbc_config_source src = {};
        _cleanup_(dbc_diags_clear) struct dbc_diags d = {};
        setenv("DMABUFCTL_VENDOR_DIR", "usr", 1);
        cr_assert_eq(dbc_config_load_from(&src, &c, &d), 0);
        static const char *const want2[] = { "etc/dmabufctl.conf", "run/policies.d/10-run.conf" };
        expect_files(c, want2, 2);
        dbc_config_free(c);
        unsetenv("DMABUFCTL_RUNTIME_DIR");
        unsetenv("DMABUFCTL_CONFIG_DIR");
        unsetenv("DMABUFCTL_VENDOR_DIR");
}
