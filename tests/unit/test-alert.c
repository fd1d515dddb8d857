/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dmabufctl/alert.h"

Test(alert, event_names_and_ids) {
        for (int e = 0; e < _DBC_EVENT_MAX; e++) {
                const char *id = dbc_event_message_id((enum dbc_event) e);

                cr_assert_not_null(dbc_event_to_string((enum dbc_event) e));
                cr_assert_eq(strlen(id), 32);
                cr_assert_eq(strspn(id, "0123456789abcdef"), 32);
                for (int o = 0; o < e; o++)
                        cr_assert_str_neq(id, dbc_event_message_id((enum dbc_event) o));
        }
        cr_assert_str_eq(dbc_event_to_string(DBC_EVENT_OOM_KILL), "oom_kill");
        cr_assert_null(dbc_event_to_string(_DBC_EVENT_MAX));
}

static char dir[64];

static char *slurp(const char *name) {
        static char buf[8192];
        char p[160];
        FILE *f;
        size_t n;

        snprintf(p, sizeof(p), "%s/%s", dir, name);
        f = fopen(p, "re");
        cr_assert_not_null(f, "%s", p);
        n = fread(buf, 1, sizeof(buf) - 1, f);
        buf[n] = '\0';
        fclose(f);
        return buf;
}

Test(alert, hook_clean_environment_no_fds_own_group) {
        char hook[128], script[1024];
        struct dbc_alert a = {
                .event = DBC_EVENT_KILL, .cgroup = "/apps.slice", .policy = "apps",
                .target = "/apps.slice/app-b.scope", .dmabuf = 629145600, .limit = 536870912, .action = "kill",
        };
        pid_t pid;
        int status, leak;
        FILE *f;

        strcpy(dir, "/tmp/dbc-hook-XXXXXX");
        cr_assert_not_null(mkdtemp(dir));
        snprintf(hook, sizeof(hook), "%s/hook", dir);
        snprintf(script, sizeof(script),
                 "#!/bin/sh\n"
                 "env | sort > %s/env\n"
                 "ls /proc/$$/fd > %s/fds\n"
                 "echo $$ $(cut -d' ' -f5 /proc/$$/stat) > %s/pgrp\n",
                 dir, dir, dir);
        f = fopen(hook, "we");
        fputs(script, f);
        fclose(f);
        cr_assert_eq(chmod(hook, 0755), 0);

        setenv("DBC_LEAK", "1", 1);
        leak = open("/dev/null", O_RDONLY);             /* no O_CLOEXEC on purpose */
        cr_assert_eq(dup2(leak, 42), 42);
        cr_assert_eq(dbc_hook_spawn(hook, &a, &pid), 0);
        cr_assert_eq(waitpid(pid, &status, 0), pid);
        cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);

        char *env = slurp("env");
        cr_assert_not_null(strstr(env, "DMABUFCTL_EVENT=kill\n"));
        cr_assert_not_null(strstr(env, "DMABUFCTL_CGROUP=/apps.slice\n"));
        cr_assert_not_null(strstr(env, "DMABUFCTL_POLICY=apps\n"));
        cr_assert_not_null(strstr(env, "DMABUFCTL_DMABUF_BYTES=629145600\n"));
        cr_assert_not_null(strstr(env, "DMABUFCTL_LIMIT_BYTES=536870912\n"));
        cr_assert_not_null(strstr(env, "DMABUFCTL_ACTION=kill\n"));
        cr_assert_not_null(strstr(env, "DMABUFCTL_TARGET=/apps.slice/app-b.scope\n"));
        cr_assert_not_null(strstr(env, "PATH=" DBC_HOOK_PATH "\n"));
        cr_assert_null(strstr(env, "DBC_LEAK"), "the daemon's environment leaked");
        cr_assert_null(strstr(env, "HOME="), "the daemon's environment leaked");

        char *fds = slurp("fds");
        cr_assert_null(strstr(fds, "42\n"), "an fd of the daemon leaked: %s", fds);

        int hpid = 0, hpgrp = -1;
        cr_assert_eq(sscanf(slurp("pgrp"), "%d %d", &hpid, &hpgrp), 2);
        cr_assert_eq(hpid, hpgrp, "the hook does not lead its own process group");
        cr_assert_neq(hpgrp, getpgrp());

        close(42);
        close(leak);
        char cmd[128];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
        cr_assert_eq(system(cmd), 0);
}

Test(alert, hook_exec_failure_is_127) {
        struct dbc_alert a = { .event = DBC_EVENT_WARN };
        pid_t pid;
        int status;

        cr_assert_eq(dbc_hook_spawn("/nonexistent/hook", &a, &pid), 0);
        cr_assert_eq(waitpid(pid, &status, 0), pid);
        cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 127);
}
