/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The floor for bench/daemon: open memory.stat of every cgroup under ROOT
 * once, then do PASSES passes that each read every one of them once through
 * its kept-open fd (one pread, no parsing). dmabufd's pass cannot cost less.
 * Prints the CPU time per pass (setup excluded) and the number of files.
 * With INTERVAL_MS, it sleeps that long between passes, as a daemon does,
 * so each pass also pays for waking up (a cold cache, the timer, the
 * scheduler): the floor of a pass of a daemon with that interval.
 * Usage: floor-daemon ROOT PASSES [INTERVAL_MS]
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int *fds;
static size_t n_fds, cap_fds;

static void collect(int dirfd) {
        DIR *d;
        struct dirent *de;
        int fd = openat(dirfd, "memory.stat", O_RDONLY | O_CLOEXEC);

        if (fd >= 0) {
                if (n_fds == cap_fds) {
                        cap_fds = cap_fds ? cap_fds * 2 : 1024;
                        fds = realloc(fds, cap_fds * sizeof(*fds));
                        if (!fds)
                                exit(1);
                }
                fds[n_fds++] = fd;
        }
        d = fdopendir(dup(dirfd));
        if (!d)
                return;
        while ((de = readdir(d)))
                if (de->d_type == DT_DIR && de->d_name[0] != '.') {
                        int c = openat(dirfd, de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                        if (c >= 0) {
                                collect(c);
                                close(c);
                        }
                }
        closedir(d);
}

static double cpu_now(void) {
        struct timespec ts;

        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
        return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

int main(int argc, char *argv[]) {
        char buf[16384];
        unsigned long bytes = 0;
        long passes;
        double t0, t1;
        int fd;

        long interval_ms = argc == 4 ? strtol(argv[3], NULL, 10) : 0;

        if ((argc != 3 && argc != 4) || (passes = strtol(argv[2], NULL, 10)) < 0 || interval_ms < 0) {
                fprintf(stderr, "usage: floor-daemon ROOT PASSES [INTERVAL_MS]\n");
                return 2;
        }
        fd = open(argv[1], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0) {
                perror(argv[1]);
                return 1;
        }
        collect(fd);
        t0 = cpu_now();
        for (long p = 0; p < passes; p++) {
                if (interval_ms > 0) {
                        struct timespec ts = { interval_ms / 1000, interval_ms % 1000 * 1000000 };
                        nanosleep(&ts, NULL);
                }
                for (size_t i = 0; i < n_fds; i++) {
                        ssize_t k = pread(fds[i], buf, sizeof(buf), 0);
                        if (k > 0)
                                bytes += (unsigned long) k;
                }
        }
        t1 = cpu_now();
        printf("%zu files, %.1f us CPU per pass, %lu bytes\n", n_fds,
               passes ? (t1 - t0) / (double) passes * 1e6 : 0.0, bytes);
        return 0;
}
