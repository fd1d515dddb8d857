/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The floor for bench/buffers: for every process of a procfs tree, open,
 * read and close every /proc/PID/fdinfo/N and /proc/PID/maps once, with
 * nothing else (no parsing, no output). dmabufctl buffers cannot do less
 * I/O than this.
 * Usage: floor-buffers PROC_ROOT
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static char buf[65536];
static unsigned long n_files, n_bytes;

static void slurp(int dirfd, const char *name) {
        int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
        ssize_t k;

        if (fd < 0)
                return;
        while ((k = read(fd, buf, sizeof(buf))) > 0)
                n_bytes += (unsigned long) k;
        close(fd);
        n_files++;
}

int main(int argc, char *argv[]) {
        struct dirent *de, *fe;
        DIR *proc, *fds;
        int root;

        if (argc != 2) {
                fprintf(stderr, "usage: floor-buffers PROC_ROOT\n");
                return 2;
        }
        root = open(argv[1], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (root < 0 || !(proc = fdopendir(dup(root)))) {
                perror(argv[1]);
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
                                        slurp(fdinfo, fe->d_name);
                        closedir(fds);
                }
                snprintf(path, sizeof(path), "%s/maps", de->d_name);
                slurp(root, path);
        }
        closedir(proc);
        printf("%lu files, %lu bytes\n", n_files, n_bytes);
        return 0;
}
