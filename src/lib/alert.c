/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <syslog.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <systemd/sd-journal.h>
#include <unistd.h>

#include "dmabufctl/alert.h"
#include "dmabufctl/cgroup.h"
#include "dmabufctl/macro.h"

static const struct {
        const char *name;
        const char *id;
} events[_DBC_EVENT_MAX] = {
        [DBC_EVENT_WARN]            = { "warn",            "6228523a6766423eb7a10b48c9dc25b3" },
        [DBC_EVENT_OVER]            = { "over",            "f795426169f34f639e97dafb13c07364" },
        [DBC_EVENT_FREEZE]          = { "freeze",          "4a51cd724c2442879d2e4d2c93ff46dd" },
        [DBC_EVENT_KILL]            = { "kill",            "5df28fdf92e24ddf9b374db2951054b6" },
        [DBC_EVENT_MEMORY_MAX]      = { "max",             "317154aa15a349f4b7c6e2301047e2bd" },
        [DBC_EVENT_OOM_KILL]        = { "oom_kill",        "8b68c4c42960481d8c5560cd9ea64c95" },
        [DBC_EVENT_CONFIG_RELOADED] = { "config-reloaded", "0c4c001d7d0b4e878bee6a5115da3bc2" },
        [DBC_EVENT_CONFIG_REJECTED] = { "config-rejected", "99bdb75821e34cf59c1e2f28816068c9" },
};

const char *dbc_event_to_string(enum dbc_event e) {
        return e < _DBC_EVENT_MAX ? events[e].name : NULL;
}

const char *dbc_event_message_id(enum dbc_event e) {
        return e < _DBC_EVENT_MAX ? events[e].id : NULL;
}

int dbc_alert_journal(const struct dbc_alert *a, int priority) {
        int k;

        k = sd_journal_send("MESSAGE=%s", a->message ? a->message : dbc_event_to_string(a->event),
                            "MESSAGE_ID=%s", dbc_event_message_id(a->event),
                            "PRIORITY=%i", priority,
                            "SYSLOG_IDENTIFIER=dmabufd",
                            "DMABUFCTL_EVENT=%s", dbc_event_to_string(a->event),
                            "CGROUP=%s", a->cgroup ? a->cgroup : "",
                            "POLICY=%s", a->policy ? a->policy : "",
                            "TARGET=%s", a->target ? a->target : "",
                            "DMABUF_BYTES=%" PRIu64, a->dmabuf,
                            "LIMIT_BYTES=%" PRIu64, a->limit,
                            "ACTION=%s", a->action ? a->action : "none",
                            "EVENT_COUNT=%" PRIu64, a->count,
                            NULL);
        return k < 0 ? k : 0;
}

/* In the child, between fork and exec: only async-signal-safe calls. */
static _Noreturn void hook_child(const struct dbc_hook *hook, int go_fd, char **envp) {
        char *argv[] = { (char *) hook->path, NULL };
        char go;
        int null, fd;

        /* The parent moves us into the hook's own cgroup (or finds it
         * cannot) before we can fork: whatever the hook starts, setsid or
         * not, stays there and is killed with it. */
        if (go_fd >= 0 && read(go_fd, &go, 1) != 1)
                _exit(126);
        (void) setpgid(0, 0);
        sigset_t all;
        sigemptyset(&all);
        (void) sigprocmask(SIG_SETMASK, &all, NULL);
        for (int s = 1; s < NSIG; s++)
                if (s != SIGKILL && s != SIGSTOP)
                        (void) signal(s, SIG_DFL);

        /* The hook's fd out of the way of 0-3 before they are assigned. */
        fd = fcntl(hook->fd, F_DUPFD, 10);
        null = open("/dev/null", O_RDWR | O_NOCTTY);
        if (fd < 0 || null < 0)
                _exit(127);
        for (int i = 0; i < 3; i++)
                if (dup2(null, i) < 0)
                        _exit(127);
        /* fd 3: the checked file. A binary is executed from it and gets no
         * fd beyond 0-2. A "#!" script is executed as /proc/self/fd/3, the
         * name its interpreter then opens, so fd 3 must survive the exec
         * (fexecve would name it /dev/fd/3, which a minimal /dev lacks). */
        if (dup2(fd, 3) < 0 || (!hook->script && fcntl(3, F_SETFD, FD_CLOEXEC) < 0))
                _exit(127);
        if (chdir("/") < 0)
                _exit(127);
        /* No other fd of the daemon (cgroup directories, the inotify fd,
         * the journal socket) reaches the hook. */
        if (syscall(SYS_close_range, 4U, ~0U, 0U) < 0)
                for (int i = 4; i < 65536; i++)
                        (void) close(i);
        if (hook->script)
                execve("/proc/self/fd/3", argv, envp);
        else
                syscall(SYS_execveat, 3, "", argv, envp, AT_EMPTY_PATH);
        _exit(127);
}

/* The hook's cgroup: a child of our own, named for this run. Returns the
 * directory fd and fills *ret_path; -errno when there is none to be had
 * (no cgroup2, read-only, not allowed: the caller falls back to the
 * process group). */
static int hook_cgroup_make(char **ret_path) {
        _cleanup_free_ char *mnt = NULL, *own = NULL, *path = NULL;
        _cleanup_fclose_ FILE *f = NULL;
        static unsigned serial;
        char line[4096];
        int k, fd;

        k = dbc_cgroup2_mount_find("/proc/self/mountinfo", &mnt);
        if (k < 0)
                return k;
        f = fopen("/proc/self/cgroup", "re");
        if (!f)
                return -errno;
        while (fgets(line, sizeof(line), f))
                if (strncmp(line, "0::", 3) == 0) {
                        line[strcspn(line, "\n")] = '\0';
                        own = strdup(line + 3);
                        break;
                }
        if (!own)
                return -ENOMEDIUM;
        if (asprintf(&path, "%s%s/dmabufd-hook-%d-%u", mnt, streq(own, "/") ? "" : own, (int) getpid(),
                     ++serial) < 0)
                return -ENOMEM;
        if (mkdir(path, 0700) < 0)
                return -errno;
        fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0) {
                k = -errno;
                (void) rmdir(path);
                return k;
        }
        *ret_path = TAKE_PTR(path);
        return fd;
}

int dbc_hook_env_fill(struct dbc_hook_env *e, const struct dbc_alert *a) {
        size_t n = 0;

#define ENV(...) do {                                                           \
                int _k = snprintf(e->buf[n], sizeof(e->buf[n]), __VA_ARGS__);  \
                if (_k < 0 || (size_t) _k >= sizeof(e->buf[n]))                 \
                        return -ENAMETOOLONG;                                   \
                e->envp[n] = e->buf[n];                                         \
                n++;                                                            \
        } while (0)

        ENV("PATH=%s", DBC_HOOK_PATH);
        ENV("DMABUFCTL_EVENT=%s", dbc_event_to_string(a->event));
        ENV("DMABUFCTL_CGROUP=%s", a->cgroup ? a->cgroup : "");
        ENV("DMABUFCTL_POLICY=%s", a->policy ? a->policy : "");
        ENV("DMABUFCTL_DMABUF_BYTES=%" PRIu64, a->dmabuf);
        ENV("DMABUFCTL_LIMIT_BYTES=%" PRIu64, a->limit);
        ENV("DMABUFCTL_ACTION=%s", a->action ? a->action : "none");
        ENV("DMABUFCTL_TARGET=%s", a->target ? a->target : "");
#undef ENV
        e->envp[n] = NULL;
        return 0;
}

int dbc_hook_spawn(const struct dbc_hook *hook, const struct dbc_alert *a, struct dbc_hook_run *ret) {
        struct dbc_hook_run run = { .pidfd = -1, .cgroup_fd = -1 };
        int go[2] = { -1, -1 };         /* the child waits on go[0] for its cgroup */
        struct dbc_hook_env env;
        int k;

        k = dbc_hook_env_fill(&env, a);
        if (k < 0)
                return k;
        if (hook->fd < 0)
                return -EBADF;
        if (hook->use_cgroup) {
                run.cgroup_fd = hook_cgroup_make(&run.cgroup);
                if (run.cgroup_fd < 0) {
                        run.cgroup_error = run.cgroup_fd;
                        run.cgroup_fd = -1;
                } else if (pipe2(go, O_CLOEXEC) < 0) {
                        run.cgroup_error = -errno;
                        dbc_hook_run_done(&run);
                }
        }

        run.pid = fork();
        if (run.pid < 0) {
                k = -errno;
                dbc_hook_run_done(&run);
                closep(&go[0]);
                closep(&go[1]);
                return k;
        }
        if (run.pid == 0)
                hook_child(hook, go[0], env.envp);
        closep(&go[0]);
        if (go[1] >= 0) {
                /* Not from the child itself: if the move fails (a cgroup
                 * with controllers of its own refuses processes), we must
                 * know, to fall back to the process group. */
                char pid[24];
                int len = snprintf(pid, sizeof(pid), "%d", (int) run.pid);
                _cleanup_close_ int procs_fd = openat(run.cgroup_fd, "cgroup.procs", O_WRONLY | O_CLOEXEC);

                if (procs_fd < 0 || write(procs_fd, pid, (size_t) len) != len) {
                        run.cgroup_error = -errno;
                        dbc_hook_run_done(&run);
                }
                (void) write(go[1], "g", 1);
                closep(&go[1]);
        }
        /* Also from the parent, so that the group exists before anyone
         * signals it (whichever runs first wins; the other gets EACCES). */
        (void) setpgid(run.pid, run.pid);
        /* Unreaped, so the pid is still the hook's: its pidfd names it for
         * good, whatever it does to its cgroup or group. */
        run.pidfd = (int) syscall(SYS_pidfd_open, run.pid, 0U);
        *ret = run;
        return 0;
}

/* Everything in the hook's cgroup, by cgroup.kill (Linux >= 5.14). */
static int cgroup_kill(int cgroup_fd) {
        _cleanup_close_ int fd = openat(cgroup_fd, "cgroup.kill", O_WRONLY | O_CLOEXEC);

        if (fd < 0)
                return -errno;
        return write(fd, "1", 1) == 1 ? 0 : -errno;
}

void dbc_hook_kill(struct dbc_hook_run *run) {
        /* The cgroup takes whatever the hook started, setsid or not; but a
         * hook may move itself out of it, so its main process is always
         * killed by its pidfd, and its process group too. */
        if (run->cgroup_fd >= 0)
                (void) cgroup_kill(run->cgroup_fd);
        if (run->pidfd >= 0)
                (void) syscall(SYS_pidfd_send_signal, run->pidfd, SIGKILL, NULL, 0U);
        /* The hook is our unreaped child, so its pid (and the group it
         * leads) cannot have been reused: signalling the group by number
         * is safe here. */
        if (run->pid > 0)
                (void) kill(-run->pid, SIGKILL);
}

int dbc_hook_wait(struct dbc_hook_run *run, unsigned timeout_ms) {
        for (unsigned waited = 0;; waited += 10) {
                pid_t p = waitpid(run->pid, NULL, WNOHANG);

                if (p == run->pid || (p < 0 && errno == ECHILD))
                        return 0;
                if (waited >= timeout_ms)
                        return -ETIMEDOUT;
                if (run->pidfd >= 0) {
                        struct pollfd pfd = { .fd = run->pidfd, .events = POLLIN };

                        (void) poll(&pfd, 1, 10);
                } else
                        (void) usleep(10000);
        }
}

static bool cgroup_populated(int cgroup_fd) {
        _cleanup_close_ int fd = openat(cgroup_fd, "cgroup.events", O_RDONLY | O_CLOEXEC);
        char buf[256];
        ssize_t n;

        if (fd < 0)
                return false;
        n = read(fd, buf, sizeof(buf) - 1);
        if (n <= 0)
                return false;
        buf[n] = '\0';
        return !strstr(buf, "populated 0");
}

int dbc_hook_run_done(struct dbc_hook_run *run) {
        int k = 0;

        if (run->cgroup_fd >= 0) {
                /* The hook's run ends with its main process: what it left
                 * behind goes with its cgroup. SIGKILLed tasks leave at once
                 * but not synchronously: wait up to ~100ms for it to empty. */
                (void) cgroup_kill(run->cgroup_fd);
                for (int i = 0; i < 100 && cgroup_populated(run->cgroup_fd); i++)
                        (void) usleep(1000);
                close(run->cgroup_fd);
                run->cgroup_fd = -1;
        }
        if (run->pidfd >= 0) {
                close(run->pidfd);
                run->pidfd = -1;
        }
        if (run->cgroup && rmdir(run->cgroup) < 0)
                k = -errno;
        free(run->cgroup);
        run->cgroup = NULL;
        return k;
}
