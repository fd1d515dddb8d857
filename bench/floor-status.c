/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The floor for bench/status: walk a cgroup tree and open, read and close
 * memory.current, memory.max, memory.high and memory.stat of every cgroup
 * once, with nothing else (no parsing, no output). dmabufctl status --all
 * cannot do less I/O than this.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char *const files[] = { "memory.current", "memory.max", "memory.high", "memory.stat" };
static unsigned long n_cgroups, n_bytes;

static void walk(int dirfd) {
        char buf[16384];
        DIR *d;
        struct dirent *de;

        n_cgroups++;
        for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
                int fd = openat(dirfd, files[i], O_RDONLY | O_CLOEXEC);
                ssize_t k;

                if (fd < 0)
                        continue;
                while ((k = read(fd, buf, sizeof(buf))) > 0)
                        n_bytes += (unsigned long) k;
                close(fd);
        }
        d = fdopendir(dup(dirfd));
        if (!d)
                return;
        while ((de = readdir(d)))
                if (de->d_type == DT_DIR && de->d_name[0] != '.') {
                        int c = openat(dirfd, de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                        if (c >= 0) {
                                walk(c);
                                close(c);
                        }
                }
        closedir(d);
}

int main(int argc, char *argv[]) {
        int fd;

        if (argc != 2) {
                fprintf(stderr, "usage: floor-status ROOT\n");
                return 2;
        }
        fd = open(argv[1], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0) {
                perror(argv[1]);
                return 1;
        }
        walk(fd);
        printf("%lu cgroups, %lu bytes\n", n_cgroups, n_bytes);
        return 0;
}
