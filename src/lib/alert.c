/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <syslog.h>
#include <systemd/sd-journal.h>
#include <unistd.h>

#include "dmabufctl/alert.h"
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
static _Noreturn void hook_child(const char *path, char **envp) {
        char *argv[] = { (char *) path, NULL };
        int null;

        (void) setpgid(0, 0);
        sigset_t all;
        sigemptyset(&all);
        (void) sigprocmask(SIG_SETMASK, &all, NULL);
        for (int s = 1; s < NSIG; s++)
                if (s != SIGKILL && s != SIGSTOP)
                        (void) signal(s, SIG_DFL);

        null = open("/dev/null", O_RDWR | O_NOCTTY);
        if (null < 0)
                _exit(127);
        for (int fd = 0; fd < 3; fd++)
                if (dup2(null, fd) < 0)
                        _exit(127);
        if (chdir("/") < 0)
                _exit(127);
        /* No fd of the daemon (cgroup directories, the inotify fd, the
         * journal socket) reaches the hook. */
        if (syscall(SYS_close_range, 3U, ~0U, 0U) < 0)
                for (int fd = 3; fd < 65536; fd++)
                        (void) close(fd);
        execve(path, argv, envp);
        _exit(127);
}

int dbc_hook_spawn(const char *path, const struct dbc_alert *a, pid_t *ret_pid) {
        char env[8][4200];
        char *envp[9];
        size_t n = 0;
        pid_t pid;

#define ENV(...) do {                                                           \
                int _k = snprintf(env[n], sizeof(env[n]), __VA_ARGS__);         \
                if (_k < 0 || (size_t) _k >= sizeof(env[n]))                    \
                        return -ENAMETOOLONG;                                   \
                envp[n] = env[n];                                               \
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
        envp[n] = NULL;

        pid = fork();
        if (pid < 0)
                return -errno;
        if (pid == 0)
                hook_child(path, envp);
        /* Also from the parent, so that the group exists before anyone
         * signals it (whichever runs first wins; the other gets EACCES). */
        (void) setpgid(pid, pid);
        *ret_pid = pid;
        return 0;
}
