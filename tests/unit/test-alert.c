/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
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
        int hfd = open(hook, O_RDONLY | O_CLOEXEC);
        struct dbc_hook h = { .path = hook, .fd = hfd, .script = true };
        struct dbc_hook_run run;
        cr_assert_eq(dbc_hook_spawn(&h, &a, &run), 0);
        pid = run.pid;
        cr_assert_eq(waitpid(pid, &status, 0), pid);
        cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        cr_assert_eq(dbc_hook_run_done(&run), 0);
        close(hfd);

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
        struct dbc_hook h = { .path = "/etc/hostname", .fd = open("/etc/hostname", O_RDONLY | O_CLOEXEC) };
        struct dbc_hook_run run;
        int status;

        cr_assert_eq(dbc_hook_spawn(&h, &a, &run), 0, "not executable: the exec fails in the child");
        cr_assert_eq(waitpid(run.pid, &status, 0), run.pid);
        cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 127);
        close(h.fd);
        h.fd = -1;
        cr_assert_eq(dbc_hook_spawn(&h, &a, &run), -EBADF);
}

/* A binary runs from its fd too, with no fd beyond 0-2. */
Test(alert, hook_binary_from_fd) {
        struct dbc_alert a = { .event = DBC_EVENT_WARN };
        struct dbc_hook h = { .path = "true", .fd = open("/bin/true", O_RDONLY | O_CLOEXEC) };
        struct dbc_hook_run run;
        int status;

        cr_assert_eq(dbc_hook_spawn(&h, &a, &run), 0);
        cr_assert_eq(waitpid(run.pid, &status, 0), run.pid);
        cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status %d", status);
        close(h.fd);
}

static void write_script(const char *path, const char *text) {
        FILE *f = fopen(path, "we");

        cr_assert_not_null(f);
        fputs(text, f);
        fclose(f);
        cr_assert_eq(chmod(path, 0755), 0);
}

/* What was opened is what runs: the hook renamed and replaced after it was
 * loaded changes nothing. */
Test(alert, hook_runs_what_was_opened) {
        char hook[128], moved[160], script[512];
        struct dbc_alert a = { .event = DBC_EVENT_WARN };
        struct dbc_hook_run run;
        int status;

        strcpy(dir, "/tmp/dbc-hook-XXXXXX");
        cr_assert_not_null(mkdtemp(dir));
        snprintf(hook, sizeof(hook), "%s/hook", dir);
        snprintf(moved, sizeof(moved), "%s/hook.old", dir);
        snprintf(script, sizeof(script), "#!/bin/sh\necho checked > %s/ran\n", dir);
        write_script(hook, script);
        struct dbc_hook h = { .path = hook, .fd = open(hook, O_RDONLY | O_CLOEXEC), .script = true };
        cr_assert_eq(rename(hook, moved), 0);
        snprintf(script, sizeof(script), "#!/bin/sh\necho swapped > %s/ran\n", dir);
        write_script(hook, script);
        cr_assert_eq(dbc_hook_spawn(&h, &a, &run), 0);
        cr_assert_eq(waitpid(run.pid, &status, 0), run.pid);
        cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        cr_assert_str_eq(slurp("ran"), "checked\n");
        close(h.fd);
        char cmd[128];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
        cr_assert_eq(system(cmd), 0);
}

/* A hook that forks a child into a session of its own (setsid) cannot
 * outlive its kill: the whole cgroup goes. */
Test(alert, hook_setsid_child_dies_with_its_cgroup) {
        char hook[128], script[512];
        struct dbc_alert a = { .event = DBC_EVENT_WARN };
        struct dbc_hook_run run;
        int status, child = 0;

        strcpy(dir, "/tmp/dbc-hook-XXXXXX");
        cr_assert_not_null(mkdtemp(dir));
        snprintf(hook, sizeof(hook), "%s/hook", dir);
        snprintf(script, sizeof(script),
                 "#!/bin/sh\nsetsid sh -c 'echo $$ > %s/child.tmp; mv %s/child.tmp %s/child; exec sleep 300' &\n"
                 "exec sleep 300\n", dir, dir, dir);
        write_script(hook, script);
        struct dbc_hook h = { .path = hook, .fd = open(hook, O_RDONLY | O_CLOEXEC), .script = true,
                              .use_cgroup = true };
        cr_assert_eq(dbc_hook_spawn(&h, &a, &run), 0);
        if (run.cgroup_fd < 0) {
                kill(-run.pid, SIGKILL);
                waitpid(run.pid, NULL, 0);
                cr_skip_test("no cgroup of its own here (%s): needs root and cgroup2", strerror(-run.cgroup_error));
        }
        for (int i = 0; i < 5000 && !child; i++) {
                char *c = NULL;
                char p[160];
                snprintf(p, sizeof(p), "%s/child", dir);
                if (access(p, F_OK) == 0 && (c = slurp("child")))
                        child = atoi(c);
                else
                        usleep(1000);
        }
        cr_assert_gt(child, 0, "the hook's child never started");
        cr_assert_eq(kill(child, 0), 0);
        dbc_hook_kill(&run);
        cr_assert_eq(waitpid(run.pid, &status, 0), run.pid);
        cr_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
        cr_assert_eq(dbc_hook_run_done(&run), 0, "the cgroup is empty and removed");
        /* it was not our child: it is gone (or a zombie of init) */
        char stat_path[64], *st = NULL;
        snprintf(stat_path, sizeof(stat_path), "/proc/%d/stat", child);
        FILE *f = fopen(stat_path, "re");
        if (f) {
                size_t n = 0;
                cr_assert_geq(getline(&st, &n, f), 0);
                fclose(f);
                cr_assert_not_null(strstr(st, ") Z "), "the setsid child still runs: %s", st);
                free(st);
        }
        close(h.fd);
        char cmd[128];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
        cr_assert_eq(system(cmd), 0);
}
