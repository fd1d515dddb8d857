/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Reading the cgroup2 tree.
 *
 * Reads go straight to the files through openat() on directory fds rather
 * than through libcgroup: libcgroup resolves controllers from the system's
 * mount table and cannot be pointed at a fixture tree (--root), and its
 * per-value API (cgroup_get_value_string after cgroup_get_cgroup) reads and
 * parses every file of every controller of a cgroup. `dmabufctl status --all`
 * reads exactly four files per cgroup this way; bench/status measures it
 * against a loop that does nothing else: on 10,001 fixture cgroups, 1.21x the
 * floor's wall time and 1.04x its syscalls (median of 5, 2026-11-25).
 */
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <linux/magic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/vfs.h>

#include "dmabufctl/cgroup.h"
#include "dmabufctl/macro.h"
#include "dmabufctl/size.h"

int dbc_cgroup2_mount_find(const char *mountinfo_path, char **ret) {
        _cleanup_fclose_ FILE *f = NULL;
        _cleanup_free_ char *line = NULL;
        size_t cap = 0;

        f = fopen(mountinfo_path, "re");
        if (!f)
                return -errno;
        while (getline(&line, &cap, f) > 0) {
                /* id parent major:minor root mountpoint options [optional...] - fstype source superopts */
                char *sep = strstr(line, " - ");
                char *fields[5];
                char *p = line;

                if (!sep)
                        continue;
                if (!strneq(sep + 3, "cgroup2 ", 8))
                        continue;
                for (size_t i = 0; i < ELEMENTSOF(fields); i++) {
                        fields[i] = strsep(&p, " ");
                        if (!fields[i])
                                break;
                }
                if (!p)
                        continue;
                /* mountinfo escapes space, tab, newline and backslash as \ooo */
                char *mnt = fields[4], *out = mnt;
                for (char *in = mnt; *in; in++) {
                        if (in[0] == '\\' && in[1] >= '0' && in[1] <= '3' && in[2] >= '0' && in[2] <= '7' &&
                            in[3] >= '0' && in[3] <= '7') {
                                *out++ = (char) (((in[1] - '0') << 6) | ((in[2] - '0') << 3) | (in[3] - '0'));
                                in += 3;
                        } else
                                *out++ = *in;
                }
                *out = '\0';
                char *s = strdup(mnt);
                if (!s)
                        return -ENOMEM;
                *ret = s;
                return 0;
        }
        if (ferror(f))
                return -EIO;
        return -ENOENT;
}

int dbc_root_open(const char *path, struct dbc_root **ret) {
        _cleanup_free_ char *detected = NULL;
        _cleanup_close_ int fd = -1;
        struct statfs sfs;
        bool is_cg2;
        int r;

        if (!path)
                path = getenv("DMABUFCTL_CGROUP_ROOT");
        if (!path || !*path) {
                r = dbc_cgroup2_mount_find("/proc/self/mountinfo", &detected);
                if (r < 0)
                        return r == -ENOENT ? -ENOMEDIUM : r;
                path = detected;
        }

        fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        if (fstatfs(fd, &sfs) < 0)
                return -errno;
        is_cg2 = sfs.f_type == CGROUP2_SUPER_MAGIC;
        if (!is_cg2 && faccessat(fd, "cgroup.controllers", F_OK, 0) < 0)
                return -EMEDIUMTYPE;

        struct dbc_root *root = calloc(1, sizeof(*root));
        if (!root)
                return -ENOMEM;
        root->path = strdup(path);
        if (!root->path) {
                free(root);
                return -ENOMEM;
        }
        root->fd = TAKE_FD(fd);
        root->is_cgroup2_fs = is_cg2;
        *ret = root;
        return 0;
}

void dbc_root_free(struct dbc_root *r) {
        if (!r)
                return;
        if (r->fd >= 0)
                close(r->fd);
        free(r->path);
        free(r);
}

char *dbc_root_explain_not_cgroup2(const char *path) {
        _cleanup_free_ char *unified = NULL;
        const char *fstype = "not cgroup2";
        struct statfs sfs;
        char *s = NULL;
        int r;

        if (statfs(path, &sfs) == 0) {
                if (sfs.f_type == TMPFS_MAGIC)
                        fstype = "tmpfs";
                else if (sfs.f_type == CGROUP_SUPER_MAGIC)
                        fstype = "cgroup v1";
        }
        if (asprintf(&unified, "%s/unified", path) < 0)
                return NULL;
        if (statfs(unified, &sfs) == 0 && sfs.f_type == CGROUP2_SUPER_MAGIC)
                r = asprintf(&s, "%s is not a cgroup2 hierarchy (%s): this is a cgroup v1/v2 hybrid, "
                             "its cgroup2 tree is %s and the memory controller is on v1",
                             path, fstype, unified);
        else
                r = asprintf(&s, "%s is not a cgroup2 hierarchy (%s, and no cgroup.controllers file)",
                             path, fstype);
        return r < 0 ? NULL : s;
}

int dbc_cgroup_path_normalize(const char *in, char **ret) {
        size_t len = strlen(in);
        char *out, *o;

        if (len == 0)
                return -EINVAL;
        out = malloc(len + 2);
        if (!out)
                return -ENOMEM;
        o = out;
        for (const char *p = in; *p;) {
                const char *e;
                size_t n;

                while (*p == '/')
                        p++;
                if (!*p)
                        break;
                e = strchrnul(p, '/');
                n = (size_t) (e - p);
                if (n == 1 && p[0] == '.') {
                        p = e;
                        continue;
                }
                if (n == 2 && p[0] == '.' && p[1] == '.') {
                        free(out);
                        return -EXDEV;
                }
                *o++ = '/';
                memcpy(o, p, n);
                o += n;
                p = e;
        }
        if (o == out)
                *o++ = '/';
        *o = '\0';
        *ret = out;
        return 0;
}

/* memory.stat of a busy cgroup is about 1.5 KiB in 6.12; leave room for
 * vendor kernels that add keys. */
#define STAT_BUF 16384

static int read_limit_at(int dirfd, const char *name, uint64_t *ret, const char **failed) {
        char buf[64];
        int r;

        r = dbc_read_file_at(dirfd, name, buf, sizeof(buf));
        if (r >= 0)
                r = dbc_parse_limit(buf, ret);
        if (r < 0 && r != -ENOENT)
                *failed = name;
        return r;
}

int dbc_cgroup_sample_at(int dirfd, struct dbc_sample *ret, const char **ret_failed) {
        struct dbc_sample s = {
                .memory_max = DBC_SIZE_MAX,     /* the root has no limit files */
                .memory_high = DBC_SIZE_MAX,
        };
        const char *failed = NULL;
        struct stat st;
        int r;

        if (!ret_failed)
                ret_failed = &failed;
        *ret_failed = NULL;
        if (fstat(dirfd, &st) < 0)
                return -errno;
        s.id = (uint64_t) st.st_ino;

        r = read_limit_at(dirfd, "memory.current", &s.memory_current, ret_failed);
        if (r >= 0)
                s.has_current = true;
        else if (r != -ENOENT)          /* the root has no memory.current */
                return r;

        if (s.has_current) {
                r = read_limit_at(dirfd, "memory.max", &s.memory_max, ret_failed);
                if (r < 0 && r != -ENOENT)
                        return r;
                r = read_limit_at(dirfd, "memory.high", &s.memory_high, ret_failed);
                if (r < 0 && r != -ENOENT)
                        return r;
        }

        _cleanup_free_ char *buf = malloc(STAT_BUF);
        if (!buf)
                return -ENOMEM;
        r = dbc_read_file_at(dirfd, "memory.stat", buf, STAT_BUF);
        if (r >= 0) {
                r = dbc_memstat_parse(buf, (size_t) r, &s.stat);
                if (r < 0) {
                        *ret_failed = "memory.stat";
                        return r;
                }
                s.has_stat = true;
        } else if (r != -ENOENT) {
                *ret_failed = "memory.stat";
                return r;
        }

        s.has_memory = s.has_current || s.has_stat;
        /* No memory files: no memory controller here, or the cgroup went
         * away; the directory itself tells which. */
        if (!s.has_memory && faccessat(dirfd, "cgroup.procs", F_OK, 0) < 0 && errno == ENOENT &&
            faccessat(dirfd, "cgroup.controllers", F_OK, 0) < 0 && errno == ENOENT)
                return -ENOENT;

        *ret = s;
        return 0;
}

int dbc_cgroup_open(struct dbc_root *r, const char *path) {
        const char *rel = path;
        int fd;

        while (*rel == '/')
                rel++;
        fd = openat(r->fd, *rel ? rel : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        return fd < 0 ? -errno : fd;
}

int dbc_cgroup_sample(struct dbc_root *r, const char *path, struct dbc_sample *ret, const char **ret_failed) {
        _cleanup_close_ int fd = -1;

        fd = dbc_cgroup_open(r, path);
        if (fd < 0)
                return fd;
        return dbc_cgroup_sample_at(fd, ret, ret_failed);
}

static int cmp_str(const void *a, const void *b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

void dbc_strv_free(char **names, size_t n) {
        for (size_t i = 0; i < n; i++)
                free(names[i]);
        free(names);
}

/* A cgroup's files are never directories, so every subdirectory is a child
 * cgroup. */
int dbc_cgroup_children(int dirfd, char ***ret, size_t *ret_n) {
        _cleanup_closedir_ DIR *d = NULL;
        char **names = NULL;
        size_t n = 0, cap = 0;
        struct dirent *de;
        int fd;

        fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        d = fdopendir(fd);
        if (!d) {
                int e = errno;
                close(fd);
                return -e;
        }
        while ((errno = 0, de = readdir(d))) {
                if (de->d_name[0] == '.' && (de->d_name[1] == '\0' || (de->d_name[1] == '.' && de->d_name[2] == '\0')))
                        continue;
                if (de->d_type == DT_UNKNOWN) {
                        struct stat st;
                        if (fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR(st.st_mode))
                                continue;
                } else if (de->d_type != DT_DIR)
                        continue;
                if (n == cap) {
                        size_t ncap = cap ? cap * 2 : 16;
                        char **nn = realloc(names, ncap * sizeof(*nn));
                        if (!nn)
                                goto oom;
                        names = nn;
                        cap = ncap;
                }
                names[n] = strdup(de->d_name);
                if (!names[n])
                        goto oom;
                n++;
        }
        if (errno != 0) {
                int e = errno;
                dbc_strv_free(names, n);
                return -e;
        }
        if (n > 1)
                qsort(names, n, sizeof(*names), cmp_str);
        *ret = names;
        *ret_n = n;
        return 0;
oom:
        dbc_strv_free(names, n);
        return -ENOMEM;
}

static int walk_at(struct dbc_root *r, int dirfd, char *path, size_t len, size_t cap,
                   dbc_walk_fn fn, void *userdata) {
        char **names = NULL;
        size_t n = 0;
        int k;

        k = fn(r, path, dirfd, userdata);
        if (k < 0)
                return k;

        k = dbc_cgroup_children(dirfd, &names, &n);
        if (k == -ENOENT)
                return 0;       /* removed under us */
        if (k < 0)
                return k;

        for (size_t i = 0; i < n; i++) {
                size_t nl = strlen(names[i]);
                size_t base = len == 1 ? 0 : len;       /* "/" + name, not "//name" */
                _cleanup_close_ int cfd = -1;

                if (base + 1 + nl + 1 > cap) {
                        k = -ENAMETOOLONG;
                        break;
                }
                cfd = openat(dirfd, names[i], O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
                if (cfd < 0) {
                        if (errno == ENOENT || errno == ENOTDIR)
                                continue;       /* removed during the walk */
                        k = -errno;
                        break;
                }
                path[base] = '/';
                memcpy(path + base + 1, names[i], nl + 1);
                k = walk_at(r, cfd, path, base + 1 + nl, cap, fn, userdata);
                path[len] = '\0';
                if (len == 1)
                        path[1] = '\0';
                if (k < 0)
                        break;
                k = 0;
        }
        dbc_strv_free(names, n);
        return k < 0 ? k : 0;
}

int dbc_cgroup_walk(struct dbc_root *r, const char *start, dbc_walk_fn fn, void *userdata) {
        _cleanup_free_ char *norm = NULL;
        _cleanup_close_ int fd = -1;
        int k;

        k = dbc_cgroup_path_normalize(start ? start : "/", &norm);
        if (k < 0)
                return k;
        fd = dbc_cgroup_open(r, norm);
        if (fd < 0)
                return fd;

        size_t cap = 4096 + strlen(norm);
        _cleanup_free_ char *path = malloc(cap);
        if (!path)
                return -ENOMEM;
        strcpy(path, norm);
        return walk_at(r, fd, path, strlen(norm), cap, fn, userdata);
}
