/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The floors for bench/buffers: for every process of a procfs tree, open,
 * read and close every /proc/PID/fdinfo/N and /proc/PID/maps once (and with
 * --identity also comm and cgroup: the floor of the issue, which reads all
 * that dmabufctl buffers needs when every process holds a buffer), with
 * nothing else (no parsing, no output). A one-record file (fdinfo, comm,
 * cgroup) takes one read() when the buffer has room for it, as the kernel
 * writes its one record whole; maps is read until read() returns 0.
 * dmabufctl buffers cannot do less I/O than this.
 * Usage: floor-buffers [--identity] PROC_ROOT
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char buf[65536];
static unsigned long n_files, n_bytes;

static void slurp(int dirfd, const char *name, bool one_record) {
        int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
        ssize_t k;

        if (fd < 0)
                return;
        while ((k = read(fd, buf, sizeof(buf))) > 0) {
                n_bytes += (unsigned long) k;
                if (one_record && (size_t) k < sizeof(buf))
                        break;
        }
        close(fd);
        n_files++;
}

int main(int argc, char *argv[]) {
        bool identity = argc == 3 && strcmp(argv[1], "--identity") == 0;
        struct dirent *de, *fe;
        DIR *proc, *fds;
        int root;

        if (argc != 2 && !identity) {
                fprintf(stderr, "usage: floor-buffers [--identity] PROC_ROOT\n");
                return 2;
        }
        root = open(argv[argc - 1], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (root < 0 || !(proc = fdopendir(dup(root)))) {
                perror(argv[argc - 1]);
                return 1;
        }
        while ((de = readdir(proc))) {
                char path[300];
                int fdinfo;

                if (de->d_name[0] < '0' || de->d_name[0] > '9')
                        continue;
                snprintf(path, sizeof(path), "%s/fdinfo", de->d_name);
                fdinfo = openat(root, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (fdinfo >= 0 && (fds = fdopendir(fdinfo))) {
                        while ((fe = readdir(fds)))
                                if (fe->d_name[0] != '.')
                                        slurp(fdinfo, fe->d_name, true);
                        closedir(fds);
                }
                snprintf(path, sizeof(path), "%s/maps", de->d_name);
                slurp(root, path, false);
                if (identity) {
                        snprintf(path, sizeof(path), "%s/comm", de->d_name);
                        slurp(root, path, true);
                        snprintf(path, sizeof(path), "%s/cgroup", de->d_name);
                        slurp(root, path, true);
                }
        }
        closedir(proc);
        printf("%lu files, %lu bytes\n", n_files, n_bytes);
        return 0;
}
