/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "tree-util.h"
#include "dmabufctl/actions.h"
#include "dmabufctl/macro.h"

static char tree[64];

static void put(const char *rel, const char *content) {
        tree_put(tree, rel, content);
}

static char *get(const char *rel) {
        return tree_get(tree, rel);
}

static int open_dir(const char *rel) {
        char p[512];

        snprintf(p, sizeof(p), "%s/%s", tree, rel);
        return open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

static void setup(void) {
        strcpy(tree, "/tmp/dbc-act-XXXXXX");
        cr_assert_not_null(mkdtemp(tree));
        put("cgroup.procs", "");
        put("cgroup.freeze", "0\n");
        put("cgroup.events", "populated 1\nfrozen 0\n");
}

static void teardown(void) {
        char cmd[128];

        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tree);
        cr_assert_eq(system(cmd), 0);
}

TestSuite(actions, .init = setup, .fini = teardown);

Test(actions, freeze_confirmed) {
        _cleanup_close_ int fd = open_dir(".");

        put("cgroup.events", "populated 1\nfrozen 1\n");
        cr_assert_eq(dbc_cgroup_freeze(fd, 1000), 0);
        cr_assert_str_eq(get("cgroup.freeze"), "1\n");
        cr_assert_eq(dbc_cgroup_is_frozen(fd), 1);
        cr_assert_eq(dbc_cgroup_thaw(fd), 0);
        cr_assert_eq(dbc_cgroup_is_frozen(fd), 0);
}

Test(actions, freeze_not_confirmed) {
        _cleanup_close_ int fd = open_dir(".");

        cr_assert_eq(dbc_cgroup_freeze(fd, 50), -ETIMEDOUT);
}

Test(actions, freeze_unsupported_and_gone) {
        _cleanup_close_ int fd = open_dir(".");
        char p[512];

        snprintf(p, sizeof(p), "%s/cgroup.freeze", tree);
        cr_assert_eq(unlink(p), 0);
        cr_assert_eq(dbc_cgroup_freeze(fd, 50), -EOPNOTSUPP);
        snprintf(p, sizeof(p), "%s/cgroup.procs", tree);
        cr_assert_eq(unlink(p), 0);
        cr_assert_eq(dbc_cgroup_freeze(fd, 50), 0, "a vanished cgroup is no failure");
}

Test(actions, kill_through_cgroup_kill) {
        _cleanup_close_ int fd = open_dir(".");

        put("cgroup.kill", "");
        put("cgroup.freeze", "1\n");    /* frozen before: thawed after */
        cr_assert_eq(dbc_cgroup_kill(fd), 0);
        cr_assert_str_eq(get("cgroup.kill"), "1");
        cr_assert_eq(dbc_cgroup_is_frozen(fd), 0);
}

static pid_t spawn_sleeper(void) {
        pid_t pid = fork();

        cr_assert_geq(pid, 0);
        if (pid == 0) {
                execl("/bin/sleep", "sleep", "60", NULL);
                _exit(127);
        }
        return pid;
}

Test(actions, kill_fallback_pidfd_every_process_of_the_subtree) {
        char procs[64], p[512];
        pid_t a = spawn_sleeper(), b = spawn_sleeper();
        int status;

        snprintf(p, sizeof(p), "%s/child", tree);
        cr_assert_eq(mkdir(p, 0755), 0);
        snprintf(procs, sizeof(procs), "%d\n", a);
        put("cgroup.procs", procs);
        snprintf(procs, sizeof(procs), "%d\n", b);
        put("child/cgroup.procs", procs);
        put("child/cgroup.freeze", "0\n");

        _cleanup_close_ int fd = open_dir(".");
        int k = dbc_cgroup_kill(fd);
        cr_assert_eq(k, 1, "no cgroup.kill: the pidfd fallback (%d)", k);
        cr_assert_eq(waitpid(a, &status, 0), a);
        cr_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
        cr_assert_eq(waitpid(b, &status, 0), b);
        cr_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
        cr_assert_str_eq(get("cgroup.freeze"), "0\n", "left frozen after the fallback");
}

Test(actions, kill_fallback_gone_processes) {
        pid_t a = spawn_sleeper();
        char procs[64];
        int status;

        kill(a, SIGKILL);
        cr_assert_eq(waitpid(a, &status, 0), a);
        snprintf(procs, sizeof(procs), "%d\n", a);      /* exited and reaped: ESRCH */
        put("cgroup.procs", procs);
        _cleanup_close_ int fd = open_dir(".");
        cr_assert_eq(dbc_cgroup_kill(fd), 1);
}
