/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <criterion/criterion.h>
#include <dirent.h>
#include <regex.h>
#include <stdio.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dmabufctl/metrics.h"
#include "dmabufctl/size.h"

static const struct dbc_metrics_cgroup rows[] = {
        { .cgroup = "/apps.slice", .policy = "apps", .has_dmabuf = true, .dmabuf = 629145600,
          .has_memory = true, .memory_current = 734003200, .memory_max = DBC_SIZE_MAX, .actions = { 0, 0, 2 } },
        { .cgroup = "/odd\"name\\x", .policy = "p\nq", .has_dmabuf = false,
          .has_memory = true, .memory_current = 1, .memory_max = 4096 },
};

/* Every line a comment or a valid sample of the Prometheus text format. */
static void check_text(const char *text, size_t *ret_samples) {
        regex_t sample, comment;
        size_t n = 0;
        char *copy = strdup(text), *save = NULL;

        cr_assert_eq(regcomp(&sample,
                             "^[a-zA-Z_:][a-zA-Z0-9_:]*"
                             "(\\{([a-zA-Z_][a-zA-Z0-9_]*=\"([^\"\\\\\n]|\\\\[\"\\\\n])*\",?)*\\})?"
                             " (-?[0-9]+(\\.[0-9]+)?|\\+Inf)$", REG_EXTENDED | REG_NOSUB), 0);
        cr_assert_eq(regcomp(&comment, "^# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .+$", REG_EXTENDED | REG_NOSUB), 0);
        for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                if (line[0] == '#') {
                        cr_assert_eq(regexec(&comment, line, 0, NULL, 0), 0, "bad comment: %s", line);
                        continue;
                }
                cr_assert_eq(regexec(&sample, line, 0, NULL, 0), 0, "bad sample: %s", line);
                n++;
        }
        regfree(&sample);
        regfree(&comment);
        free(copy);
        *ret_samples = n;
}

Test(metrics, format_parses) {
        struct dbc_metrics m = { .cgroups = rows, .n_cgroups = 2, .evaluations = 7, .last_evaluation = 1764000000.25,
                                 .memory_stat_reads = 12, .overruns = 3, .metrics_late = 4 };
        char *buf = NULL;
        size_t len = 0, n;
        FILE *f = open_memstream(&buf, &len);

        cr_assert_eq(dbc_metrics_format(f, &m), 0);
        fclose(f);
        check_text(buf, &n);
        /* 1 dmabuf + 2 current + 2 max + 6 actions + 5 globals */
        cr_assert_eq(n, 16, "%s", buf);
        cr_assert_not_null(strstr(buf, "dmabufd_cgroup_dmabuf_bytes{cgroup=\"/apps.slice\",policy=\"apps\"} 629145600\n"));
        cr_assert_not_null(strstr(buf, "dmabufd_cgroup_memory_max_bytes{cgroup=\"/apps.slice\",policy=\"apps\"} +Inf\n"));
        cr_assert_not_null(strstr(buf, "dmabufd_actions_total{cgroup=\"/apps.slice\",policy=\"apps\",action=\"kill\"} 2\n"));
        /* a newline, like every control byte, reads as in `status`: \x0a */
        cr_assert_not_null(strstr(buf, "cgroup=\"/odd\\\"name\\\\x\",policy=\"p\\\\x0aq\""));
        cr_assert_not_null(strstr(buf, "dmabufd_evaluations_total 7\n"));
        cr_assert_not_null(strstr(buf, "dmabufd_last_evaluation_seconds 1764000000.250\n"));
        cr_assert_not_null(strstr(buf, "dmabufd_memory_stat_reads_total 12\n"));
        cr_assert_not_null(strstr(buf, "dmabufd_pass_overruns_total 3\n"));
        cr_assert_not_null(strstr(buf, "dmabufd_metrics_late_total 4\n"));
        free(buf);
}

Test(metrics, write_atomically) {
        char dir[] = "/tmp/dbc-metrics-XXXXXX", path[128], cmd[300];
        struct dbc_metrics m = { .cgroups = rows, .n_cgroups = 1, .evaluations = 1 };
        struct dirent *de;
        DIR *d;
        int files = 0;

        cr_assert_not_null(mkdtemp(dir));
        snprintf(path, sizeof(path), "%s/metrics.prom", dir);
        cr_assert_eq(dbc_metrics_write(path, &m), 0);
        m.evaluations = 2;
        cr_assert_eq(dbc_metrics_write(path, &m), 0);
        d = opendir(dir);
        while ((de = readdir(d)))
                if (de->d_name[0] != '.') {
                        cr_assert_str_eq(de->d_name, "metrics.prom", "a temporary file was left behind");
                        files++;
                }
        closedir(d);
        cr_assert_eq(files, 1);
        snprintf(cmd, sizeof(cmd), "grep -q '^dmabufd_evaluations_total 2$' '%s'", path);
        cr_assert_eq(system(cmd), 0);
        cr_assert_eq(dbc_metrics_write("/nonexistent-dir/metrics.prom", &m), -ENOENT);
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
        cr_assert_eq(system(cmd), 0);
}

/* A user names a cgroup with a CSI, an OSC and bytes that are no UTF-8:
 * the file stays valid UTF-8 and a strict parser (promtool, Debian's
 * prometheus package) accepts it. */
Test(metrics, hostile_names_parse) {
        static const struct dbc_metrics_cgroup hostile[] = {
                { .cgroup = "/user.slice/\xc2\x9b" "31m\x1b]0;owned\x07.scope", .policy = "p", .has_dmabuf = true,
                  .dmabuf = 1, .has_memory = true, .memory_current = 1, .memory_max = 2 },
                { .cgroup = "/user.slice/bad\x9b\xff\xc3(.scope", .policy = "p", .has_dmabuf = true,
                  .dmabuf = 2, .has_memory = true, .memory_current = 1, .memory_max = 2 },
        };
        struct dbc_metrics m = { .cgroups = hostile, .n_cgroups = 2, .evaluations = 1 };
        char dir[] = "/tmp/dbc-metrics-XXXXXX", path[128], cmd[400];
        char *buf = NULL;
        size_t len = 0, n;
        FILE *f = open_memstream(&buf, &len);

        cr_assert_eq(dbc_metrics_format(f, &m), 0);
        fclose(f);
        check_text(buf, &n);
        for (const unsigned char *p = (const unsigned char *) buf; *p; p++)
                cr_assert(*p < 0x80 && (*p >= 0x20 || *p == '\n'), "byte 0x%02x in: %s", *p, buf);
        cr_assert_not_null(strstr(buf, "cgroup=\"/user.slice/\\\\xc2\\\\x9b31m\\\\x1b]0;owned\\\\x07.scope\""), "%s", buf);
        cr_assert_not_null(strstr(buf, "cgroup=\"/user.slice/bad\\\\x9b\\\\xff\\\\xc3(.scope\""), "%s", buf);
        free(buf);

        if (access("/usr/bin/promtool", X_OK) < 0)
                cr_skip_test("promtool (Debian package prometheus) is not installed");
        cr_assert_not_null(mkdtemp(dir));
        snprintf(path, sizeof(path), "%s/metrics.prom", dir);
        cr_assert_eq(dbc_metrics_write(path, &m), 0);
        snprintf(cmd, sizeof(cmd), "promtool check metrics < '%s' >/dev/null 2>&1", path);
        cr_expect_eq(system(cmd), 0, "promtool check metrics rejects %s", path);
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
        cr_assert_eq(system(cmd), 0);
}
