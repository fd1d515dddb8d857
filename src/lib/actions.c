/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Freeze and kill. These write cgroupfs files directly rather than through
 * libcgroup: the daemon already holds the cgroup's directory fd, and
 * libcgroup (2.0) knows neither cgroup.kill nor cgroup.freeze.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>

#include "dmabufctl/actions.h"
#include "dmabufctl/cgroup.h"
#include "dmabufctl/macro.h"
#include "dmabufctl/memstat.h"

static bool gone(int e) {
        return e == ENOENT || e == ENODEV || e == ESRCH;
}

static int write_at(int dirfd, const char *name, const char *value) {
        _cleanup_close_ int fd = -1;
        size_t n = strlen(value);

        fd = openat(dirfd, name, O_WRONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW);
        if (fd < 0)
                return -errno;
        ssize_t k = write(fd, value, n);
        if (k < 0)
                return -errno;
        if ((size_t) k != n)
                return -EIO;
        return 0;
}

static uint64_t now_ms(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000 + (uint64_t) ts.tv_nsec / 1000000;
}

/* 1 when cgroup.events (open at fd) says "frozen 1". */
static int events_frozen(int fd) {
        char buf[256];
        int k;

        k = dbc_read_file_at(fd, NULL, buf, sizeof(buf));
        if (k < 0)
                return k;
        for (char *line = buf, *next; line && *line; line = next) {
                next = strchr(line, '\n');
                if (next)
                        *next++ = '\0';
                if (strneq(line, "frozen ", 7))
                        return line[7] == '1';
        }
        return 0;
}

int dbc_cgroup_freeze(int dirfd, uint64_t timeout_ms) {
        _cleanup_close_ int efd = -1;
        uint64_t deadline;
        int k;

        k = write_at(dirfd, "cgroup.freeze", "1");
        if (k == -ENOENT) {
                /* No such file: an old kernel, the root cgroup, or gone. */
                if (faccessat(dirfd, "cgroup.procs", F_OK, 0) < 0 && gone(errno))
                        return 0;
                return -EOPNOTSUPP;
        }
        if (k < 0)
                return gone(-k) ? 0 : k;

        efd = openat(dirfd, "cgroup.events", O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (efd < 0)
                return gone(errno) ? 0 : -errno;
        deadline = now_ms() + timeout_ms;
        for (;;) {
                uint64_t now;

                k = events_frozen(efd);
                if (k < 0)
                        return gone(-k) ? 0 : k;
                if (k > 0)
                        return 0;
                now = now_ms();
                if (now >= deadline)
                        return -ETIMEDOUT;
                /* cgroupfs wakes POLLPRI when cgroup.events changes; on a
                 * plain file (fixture trees) this is a short sleep. */
                struct pollfd p = { .fd = efd, .events = POLLPRI };
                uint64_t wait = deadline - now;
                (void) poll(&p, 1, (int) (wait < 10 ? wait : 10));
        }
}

int dbc_cgroup_thaw(int dirfd) {
        int k = write_at(dirfd, "cgroup.freeze", "0");

        if (k < 0 && (gone(-k) || k == -EOPNOTSUPP))
                return 0;
        return k;
}

int dbc_cgroup_is_frozen(int dirfd) {
        char buf[16];
        int k;

        k = dbc_read_file_at(dirfd, "cgroup.freeze", buf, sizeof(buf));
        if (k < 0)
                return k;
        return buf[0] == '1';
}

static int signal_procs(int dirfd) {
        _cleanup_fclose_ FILE *f = NULL;
        _cleanup_free_ char *line = NULL;
        size_t cap = 0;
        int fd, ret = 0;

        fd = openat(dirfd, "cgroup.procs", O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return gone(errno) ? 0 : -errno;
        f = fdopen(fd, "re");
        if (!f) {
                int e = errno;
                close(fd);
                return -e;
        }
        while (getline(&line, &cap, f) > 0) {
                char *end;
                long pid = strtol(line, &end, 10);
                _cleanup_close_ int pfd = -1;

                if (pid <= 0 || (*end != '\n' && *end != '\0'))
                        continue;
                pfd = (int) syscall(SYS_pidfd_open, (pid_t) pid, 0);
                if (pfd < 0) {
                        if (!gone(errno) && ret == 0)
                                ret = -errno;
                        continue;
                }
                if (syscall(SYS_pidfd_send_signal, pfd, SIGKILL, NULL, 0) < 0 && !gone(errno) && ret == 0)
                        ret = -errno;
        }
        return ret;
}

/* The cgroup at dirfd and everything below it, children first. */
static int signal_tree(int dirfd) {
        char **names = NULL;
        size_t n = 0;
        int ret = 0, k;

        k = dbc_cgroup_children(dirfd, &names, &n);
        if (k < 0)
                return gone(-k) ? 0 : k;
        for (size_t i = 0; i < n; i++) {
                _cleanup_close_ int cfd = openat(dirfd, names[i], O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
                if (cfd < 0)
                        continue;
                k = signal_tree(cfd);
                if (k < 0 && ret == 0)
                        ret = k;
        }
        dbc_strv_free(names, n);
        k = signal_procs(dirfd);
        return ret < 0 ? ret : k;
}

int dbc_cgroup_kill(int dirfd) {
        int k, was_frozen;

        was_frozen = dbc_cgroup_is_frozen(dirfd);
        k = write_at(dirfd, "cgroup.kill", "1");
        if (k == 0 || (k != -ENOENT && gone(-k))) {
                if (was_frozen > 0)
                        (void) dbc_cgroup_thaw(dirfd);
                return 0;
        }
        if (k != -ENOENT)
                return k;

        /* No cgroup.kill: freeze so nothing forks past us (where the kernel
         * can), signal every process through a pidfd, and thaw on the way
         * out so that nothing stays frozen (a frozen task still dies of
         * SIGKILL on cgroup2). */
        if (faccessat(dirfd, "cgroup.procs", F_OK, 0) < 0 && gone(errno))
                return 0;
        (void) dbc_cgroup_freeze(dirfd, 100);
        k = signal_tree(dirfd);
        (void) dbc_cgroup_thaw(dirfd);
        return k < 0 ? k : 1;
}
