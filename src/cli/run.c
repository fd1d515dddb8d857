/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * dmabufctl run [--memory-max SIZE] [--dmabuf-max SIZE] [--name NAME]
 *               [--slice SLICE] -- CMD...
 *
 * With systemd as PID 1 the command runs in a transient scope; without it
 * (or on a --root tree) in a new cgroup under run-parent. Either way the
 * child is in its cgroup before it executes CMD, and the cgroup is gone
 * when run returns.
 */
#include <errno.h>
#include <inttypes.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "dmabufctl/limits.h"
#include "dmabufctl/plan.h"
#include "dmabufctl/runpolicy.h"
#include "dmabufctl/size.h"
#include "dmabufctl/unit.h"
#include "dmabufctl/unitprop.h"

struct run_args {
        uint64_t memory_max;
        uint64_t dmabuf_max;
        struct dbc_size memory_max_size;
        const char *name;
        const char *slice;
};

enum { OPT_MEMORY_MAX = 0x600, OPT_DMABUF_MAX, OPT_NAME, OPT_SLICE };

/* What the child reports through its close-on-exec pipe when it fails. */
enum { STAGE_ENTER = 1, STAGE_EXEC = 2 };
struct child_failure {
        int stage;
        int error;
};

#define JOB_TIMEOUT_MS 60000
#define KILL_TIMEOUT_MS 10000

static bool name_is_valid(const char *n) {
        if (!*n || strlen(n) > 200)
                return false;
        for (; *n; n++)
                if (!((*n >= 'a' && *n <= 'z') || (*n >= 'A' && *n <= 'Z') || (*n >= '0' && *n <= '9') ||
                      strchr("-_.:@", *n)))
                        return false;
        return true;
}

static int handle_run(int opt, const char *arg, void *userdata) {
        struct run_args *a = userdata;
        struct dbc_size sz;

        switch (opt) {
        case OPT_MEMORY_MAX:
                return cli_parse_size_option("run", "--memory-max", arg, DBC_SIZE_ALLOW_PERCENT, &a->memory_max_size);
        case OPT_DMABUF_MAX:
                if (cli_parse_size_option("run", "--dmabuf-max", arg, 0, &sz) < 0)
                        return -1;
                a->dmabuf_max = sz.bytes;
                if (a->dmabuf_max == DBC_SIZE_MAX)
                        return cli_usage_error("run: --dmabuf-max: \"max\" sets no budget; give a size"), -1;
                return 0;
        case OPT_NAME:
                if (!name_is_valid(arg))
                        return cli_usage_error("run: --name: \"%s\" is not a valid name (letters, digits, "
                                               "'-', '_', '.', ':', '@'; at most 200)", arg), -1;
                a->name = arg;
                return 0;
        case OPT_SLICE:
                a->slice = arg;
                return 0;
        }
        return -1;
}

/* In the child, after fork: only async-signal-safe calls. */
_Noreturn static void child_fail(int fd, int stage, int error) {
        struct child_failure f = { stage, error };
        ssize_t _unused_ n = write(fd, &f, sizeof(f));

        _exit(127);
}

static void format_pid(char *buf, pid_t pid) {
        char tmp[16];
        size_t n = 0;

        do {
                tmp[n++] = (char) ('0' + pid % 10);
                pid /= 10;
        } while (pid > 0);
        for (size_t i = 0; i < n; i++)
                buf[i] = tmp[n - 1 - i];
        buf[n] = '\n';
        buf[n + 1] = '\0';
}

/* The child: wait for go_fd (systemd: the scope holds us now) or enter the
 * cgroup through procs_fd, then exec. */
_Noreturn static void child_main(char **cmd, const sigset_t *mask, int go_fd, int procs_fd, int fail_fd) {
        if (go_fd >= 0) {
                char c;
                if (read(go_fd, &c, 1) != 1)
                        _exit(127);     /* run gave up: never start CMD outside its cgroup */
        }
        if (procs_fd >= 0) {
                char buf[24];

                format_pid(buf, getpid());
                if (write(procs_fd, buf, strlen(buf)) < 0)
                        child_fail(fail_fd, STAGE_ENTER, errno);
        }
        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        signal(SIGHUP, SIG_DFL);
        signal(SIGCHLD, SIG_DFL);
        sigprocmask(SIG_SETMASK, mask, NULL);
        execvp(cmd[0], cmd);
        child_fail(fail_fd, STAGE_EXEC, errno);
}

/* Forward SIGINT/SIGTERM/SIGHUP to the child until it exits; its status as
 * run's exit status (128 + signal when killed). Signals the kernel sent
 * (a terminal's ^C) reach the child directly, being in our process group. */
static int wait_child(pid_t pid, const sigset_t *wait_set) {
        for (;;) {
                siginfo_t si;
                int status, sig;
                pid_t k;

                k = waitpid(pid, &status, WNOHANG);
                if (k == pid)
                        return WIFEXITED(status) ? WEXITSTATUS(status) :
                               WIFSIGNALED(status) ? 128 + WTERMSIG(status) : EXIT_FAIL;
                if (k < 0 && errno != EINTR)
                        return cli_error("run: waiting for the command: %s", strerror(errno));

                sig = sigwaitinfo(wait_set, &si);
                if (sig < 0 || sig == SIGCHLD)
                        continue;
                if (si.si_code == SI_KERNEL)
                        continue;
                kill(pid, sig);
        }
}

/* After fork: how did the start of CMD go? 0 it runs (or ran); else the
 * exit status to return, reported. */
static int check_child_start(int fail_fd, pid_t pid, char **cmd, const char *where) {
        struct child_failure f;
        ssize_t n;

        do
                n = read(fail_fd, &f, sizeof(f));
        while (n < 0 && errno == EINTR);
        if (n != (ssize_t) sizeof(f))
                return 0;       /* closed on exec: CMD runs */
        waitpid(pid, NULL, 0);
        if (f.stage == STAGE_ENTER) {
                cli_error("run: cannot move the command into %s: %s", where, strerror(f.error));
                return EXIT_FAIL;
        }
        cli_error("run: cannot execute %s: %s", cmd[0], strerror(f.error));
        return f.error == ENOENT ? 127 : 126;
}

struct runner {
        struct cli *cli;
        struct run_args *a;
        char **cmd;
        sigset_t old_mask, wait_set;
        char *policy_path;
        sd_bus *bus;            /* systemd's, when it runs */
};

/* dmabufd reads runtime policies when it (re)loads its configuration: when
 * systemd runs it, tell it to (SIGHUP). Without systemd there is no telling
 * which process it is; dmabufd(8) says to reload it. Not running is fine. */
static void reload_dmabufd(struct runner *r) {
        if (r->bus)
                (void) dbc_unit_signal_main(r->bus, "dmabufd.service", SIGHUP, NULL);
}

/* Drop-ins of earlier runs that were SIGKILLed (their run gone, their
 * cgroup empty or gone). */
static void prune_runtime_policies(struct cli *cli) {
        struct dbc_root *root = NULL;
        int k;

        if (dbc_root_open(cli->root_path, &root) < 0)
                return;         /* the run itself says why, if it matters */
        /* The owner is a real process: the real /proc. */
        k = dbc_runtime_policies_prune(root, NULL, NULL, NULL);
        if (k < 0)
                cli_warn("run: cannot clear stale runtime policies in %s/policies.d: %s", dbc_runtime_dir(),
                         strerror(-k));
        else if (k > 0)
                cli_warn("run: removed %d stale runtime polic%s of runs that are gone", k, k == 1 ? "y" : "ies");
        dbc_root_free(root);
}

static void add_runtime_policy(struct runner *r, const char *name, const char *cgroup) {
        int k;

        if (r->a->dmabuf_max == DBC_SIZE_MAX)
                return;
        k = dbc_runtime_policy_write(name, cgroup, r->a->dmabuf_max, &r->policy_path);
        if (k < 0)
                cli_warn("run: cannot register the dma-buf budget in %s/policies.d: %s; dmabufd will not police it",
                         dbc_runtime_dir(), strerror(-k));
        else
                reload_dmabufd(r);
}

static void remove_runtime_policy(struct runner *r) {
        int k;

        if (!r->policy_path)
                return;
        k = dbc_runtime_policy_remove(r->policy_path);
        if (k < 0)
                cli_warn("run: cannot remove %s: %s", r->policy_path, strerror(-k));
        else
                reload_dmabufd(r);
        free(r->policy_path);
        r->policy_path = NULL;
}

static char *describe(char **cmd) {
        size_t len = strlen("dmabufctl run:") + 1;
        char *s, *p;

        for (char **c = cmd; *c; c++)
                len += strlen(*c) + 1;
        s = p = malloc(len);
        if (!s)
                return NULL;
        p = stpcpy(p, "dmabufctl run:");
        for (char **c = cmd; *c; c++) {
                *p++ = ' ';
                p = stpcpy(p, *c);
        }
        return s;
}

/* The slice run-parent names: "/a.slice/a-b.slice" is a-b.slice. */
static int slice_of_run_parent(const char *run_parent, char **ret) {
        _cleanup_free_ char *back = NULL;
        const char *last = strrchr(run_parent, '/');

        if (!last || !last[1])
                return -EINVAL;
        if (dbc_slice_to_cgroup(last + 1, &back) < 0 || !streq(back, run_parent))
                return -EINVAL;
        char *s = strdup(last + 1);
        if (!s)
                return -ENOMEM;
        *ret = s;
        return 0;
}

static int run_in_scope(struct runner *r, sd_bus *bus, const char *run_parent) {
        _cleanup_free_ char *slice = NULL, *unit = NULL, *desc = NULL, *cg = NULL, *msg = NULL;
        _cleanup_close_ int go_r = -1, go_w = -1, fail_r = -1, fail_w = -1;
        int fds[2], k, ret;
        pid_t pid;

        if (r->a->slice) {
                if (!dbc_unit_name_is_valid(r->a->slice) || dbc_slice_to_cgroup(r->a->slice, &cg) < 0)
                        return cli_usage_error("run: --slice: \"%s\" is not a slice name (NAME.slice)", r->a->slice);
                free(cg);
                cg = NULL;
                slice = strdup(r->a->slice);
        } else if (slice_of_run_parent(run_parent, &slice) < 0)
                return cli_error("run: run-parent %s is not the cgroup of a slice; give --slice SLICE",
                                 run_parent);
        if (!slice)
                return cli_error("out of memory");
        if (r->a->name) {
                size_t l = strlen(r->a->name);
                k = l > 6 && streq(r->a->name + l - 6, ".scope") ? asprintf(&unit, "%s", r->a->name) :
                                                                  asprintf(&unit, "%s.scope", r->a->name);
        } else
                k = asprintf(&unit, "dmabufctl-run-%d.scope", (int) getpid());
        desc = describe(r->cmd);
        if (k < 0 || !desc)
                return cli_error("out of memory");

        if (pipe2(fds, O_CLOEXEC) < 0)
                return cli_error("run: pipe: %s", strerror(errno));
        go_r = fds[0], go_w = fds[1];
        if (pipe2(fds, O_CLOEXEC) < 0)
                return cli_error("run: pipe: %s", strerror(errno));
        fail_r = fds[0], fail_w = fds[1];

        pid = fork();
        if (pid < 0)
                return cli_error("run: fork: %s", strerror(errno));
        if (pid == 0)
                child_main(r->cmd, &r->old_mask, go_r, -1, fail_w);
        close(go_r);
        go_r = -1;
        close(fail_w);
        fail_w = -1;

        k = dbc_scope_start(bus, unit, slice, desc, pid, r->a->memory_max, JOB_TIMEOUT_MS, &msg);
        if (k < 0) {
                kill(pid, SIGKILL);
                waitpid(pid, NULL, 0);
                if (k == -EACCES || k == -EPERM)
                        return cli_error("run: systemd refused to create %s: permission denied%s%s%s", unit,
                                         msg ? " (" : "", msg ? msg : "", msg ? ")" : "");
                return cli_error("run: cannot create scope %s in %s: %s", unit, slice,
                                 msg ? msg : strerror(-k));
        }
        k = dbc_unit_resolve(bus, unit, &cg);
        if (k < 0)
                cli_warn("run: cannot tell the cgroup of %s: %s", unit,
                         k == -EBADMSG ? "systemd named a cgroup that is not the unit's" : strerror(-k));
        else
                add_runtime_policy(r, unit, cg);
        if (!r->cli->json)
                fprintf(stderr, "dmabufctl: running as unit %s%s%s\n", unit, cg ? ", cgroup " : "", cg ? cg : "");

        /* Go: the scope holds the child. */
        if (write(go_w, "g", 1) != 1) {
                kill(pid, SIGKILL);
                waitpid(pid, NULL, 0);
                remove_runtime_policy(r);
                return cli_error("run: cannot start the command: %s", strerror(errno));
        }
        ret = check_child_start(fail_r, pid, r->cmd, unit);
        if (ret == 0)
                ret = wait_child(pid, &r->wait_set);

        /* What the command left behind goes with the scope. */
        free(msg);
        msg = NULL;
        k = dbc_scope_stop(bus, unit, &msg);
        if (k < 0)
                cli_warn("run: cannot stop %s: %s", unit, msg ? msg : strerror(-k));
        remove_runtime_policy(r);
        return ret;
}

static int run_in_cgroup(struct runner *r, struct dbc_root *root, const char *run_parent) {
        _cleanup_free_ char *parent = NULL, *path = NULL;
        _cleanup_close_ int procs = -1, fail_r = -1, fail_w = -1;
        int fds[2], k, ret;
        pid_t pid;

        if (r->a->slice) {
                if (dbc_slice_to_cgroup(r->a->slice, &parent) < 0)
                        return cli_usage_error("run: --slice: \"%s\" is not a slice name (NAME.slice)", r->a->slice);
        } else if (!(parent = strdup(run_parent)))
                return cli_error("out of memory");
        if (r->a->name)
                k = asprintf(&path, "%s/%s", streq(parent, "/") ? "" : parent, r->a->name);
        else
                k = asprintf(&path, "%s/dmabufctl-run-%d", streq(parent, "/") ? "" : parent, (int) getpid());
        if (k < 0)
                return cli_error("out of memory");

        k = dbc_cgroup_create(root, path, r->a->memory_max);
        if (k == -EEXIST)
                return cli_error("run: cgroup %s exists already; choose another --name", path);
        if (k == -ENOMEDIUM)
                return cli_error("run: cannot create %s with a memory budget: the memory controller is not "
                                 "available there (cgroup.controllers)", path);
        if (k == -EACCES || k == -EPERM)
                return cli_error("run: cannot create cgroup %s: permission denied", path);
        if (k < 0)
                return cli_error("run: cannot create cgroup %s under %s: %s", path, root->path, strerror(-k));

        procs = dbc_cgroup_open_procs(root, path);
        if (procs < 0) {
                ret = cli_error("run: cannot open cgroup.procs of %s: %s", path, strerror(-procs));
                goto remove;
        }
        if (pipe2(fds, O_CLOEXEC) < 0) {
                ret = cli_error("run: pipe: %s", strerror(errno));
                goto remove;
        }
        fail_r = fds[0], fail_w = fds[1];
        add_runtime_policy(r, strrchr(path, '/') + 1, path);
        if (!r->cli->json)
                fprintf(stderr, "dmabufctl: running in cgroup %s\n", path);

        pid = fork();
        if (pid < 0) {
                ret = cli_error("run: fork: %s", strerror(errno));
                goto remove;
        }
        if (pid == 0)
                child_main(r->cmd, &r->old_mask, -1, procs, fail_w);
        close(fail_w);
        fail_w = -1;

        ret = check_child_start(fail_r, pid, r->cmd, path);
        if (ret == 0)
                ret = wait_child(pid, &r->wait_set);

        /* What the command left behind goes with its cgroup. */
        k = dbc_cgroup_kill_wait(root, path, KILL_TIMEOUT_MS);
        if (k < 0)
                cli_warn("run: cannot empty %s: %s", path, strerror(-k));
remove:
        remove_runtime_policy(r);
        k = dbc_cgroup_remove(root, path);
        if (k < 0 && k != -ENOENT)
                cli_warn("run: cannot remove cgroup %s: %s", path, strerror(-k));
        return ret;
}

int verb_run(struct cli *cli, int argc, char *argv[]) {
        static const struct option opts[] = {
                { "memory-max", required_argument, NULL, OPT_MEMORY_MAX },
                { "dmabuf-max", required_argument, NULL, OPT_DMABUF_MAX },
                { "name",       required_argument, NULL, OPT_NAME },
                { "slice",      required_argument, NULL, OPT_SLICE },
                {}
        };
        struct run_args a = { .memory_max_size = { .bytes = DBC_SIZE_MAX }, .dmabuf_max = DBC_SIZE_MAX };
        struct runner r = { .cli = cli, .a = &a };
        struct dbc_config *config = NULL;
        struct dbc_root *root = NULL;
        sd_bus *bus = NULL;
        int k, ret;

        /* '+': stop at CMD, whose options are its own. */
        k = cli_parse_options(cli, argc, argv, "+", opts, handle_run, &a);
        if (k < 0)
                return EXIT_USAGE;
        if (k >= argc)
                return cli_usage_error("run: no command given (dmabufctl run [OPTIONS] -- CMD...)");
        r.cmd = argv + k;
        if (cli_resolve_size(cli, "run", "--memory-max", &a.memory_max_size, &a.memory_max) != 0)
                return EXIT_FAIL;
        /* As set and apply refuse it: a scope no process could run in. */
        if (a.memory_max < dbc_limit_floor()) {
                char b[DBC_FORMAT_MAX];

                return cli_error("run: --memory-max %s (%" PRIu64 " bytes) is below one page (%" PRIu64
                                 " bytes): no process could run in it; nothing was started",
                                 dbc_size_format(a.memory_max, b), a.memory_max, dbc_limit_floor());
        }

        ret = cli_load_config(cli, &config);
        if (ret != EXIT_OK)
                return ret;
        prune_runtime_policies(cli);

        /* Signals for the command are collected, not acted on, from now on. */
        sigemptyset(&r.wait_set);
        sigaddset(&r.wait_set, SIGINT);
        sigaddset(&r.wait_set, SIGTERM);
        sigaddset(&r.wait_set, SIGHUP);
        sigaddset(&r.wait_set, SIGCHLD);
        sigprocmask(SIG_BLOCK, &r.wait_set, &r.old_mask);

        /* A tree given with --root (or $DMABUFCTL_CGROUP_ROOT) is used as
         * it is; otherwise systemd owns the tree when it runs. */
        if (!cli->root_path) {
                k = dbc_bus_open_system(&bus);
                if (k < 0 && k != -EHOSTDOWN) {
                        ret = cli_error("run: systemd runs but cannot be reached on the system bus: %s", strerror(-k));
                        goto out;
                }
        }
        r.bus = bus;
        if (bus)
                ret = run_in_scope(&r, bus, config->run_parent);
        else {
                ret = cli_open_root(cli, &root);
                if (ret == EXIT_OK)
                        ret = run_in_cgroup(&r, root, config->run_parent);
        }
out:
        sigprocmask(SIG_SETMASK, &r.old_mask, NULL);
        sd_bus_flush_close_unref(bus);
        dbc_root_free(root);
        dbc_config_free(config);
        return ret;
}
