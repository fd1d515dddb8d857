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
#include <limits.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "dmabufctl/cgroup.h"
#include "dmabufctl/macro.h"
#include "dmabufctl/size.h"

/* Does the comma-separated list opts hold opt? */
static bool has_option(const char *opts, const char *opt) {
        size_t n = strlen(opt);

        for (const char *p = opts; p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
                if (strneq(p, opt, n) && (p[n] == ',' || p[n] == '\0'))
                        return true;
        return false;
}

/* One mount of a mountinfo stream: fields point into *line. */
struct mountinfo_entry {
        const char *root;               /* the mount's root within its file system */
        const char *mountpoint;         /* \ooo escapes undone */
        const char *fstype;
        const char *superopts;
};

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
static void unescape_octal(char *s) {
        char *out = s;

        for (char *in = s; *in; in++) {
                if (in[0] == '\\' && in[1] >= '0' && in[1] <= '3' && in[2] >= '0' && in[2] <= '7' &&
                    in[3] >= '0' && in[3] <= '7') {
                        *out++ = (char) (((in[1] - '0') << 6) | ((in[2] - '0') << 3) | (in[3] - '0'));
                        in += 3;
                } else
                        *out++ = *in;
        }
        *out = '\0';
}

/* The next well-formed line of f. Returns 1 and *ret, 0 at the end, -EIO. */
static int mountinfo_next(FILE *f, char **line, size_t *cap, struct mountinfo_entry *ret) {
        ssize_t n;

        while ((n = getline(line, cap, f)) > 0) {
                /* id parent major:minor root mountpoint options [optional...] - fstype source superopts */
                char *fields[5], *tail[3];
                char *p, *sep;

                if ((*line)[n - 1] == '\n')
                        (*line)[n - 1] = '\0';
                sep = strstr(*line, " - ");
                if (!sep)
                        continue;
                *sep = '\0';
                p = sep + 3;
                for (size_t i = 0; i < ELEMENTSOF(tail); i++)
                        tail[i] = strsep(&p, " ");
                if (!tail[2])
                        continue;
                p = *line;
                for (size_t i = 0; i < ELEMENTSOF(fields); i++)
                        fields[i] = strsep(&p, " ");
                if (!fields[4])
                        continue;
                unescape_octal(fields[3]);
                unescape_octal(fields[4]);
                *ret = (struct mountinfo_entry) {
                        .root = fields[3], .mountpoint = fields[4], .fstype = tail[0], .superopts = tail[2],
                };
                return 1;
        }
        return ferror(f) ? -EIO : 0;
}

int dbc_mountinfo_find(FILE *f, const char *fstype, const char *superopt, char **ret) {
        _cleanup_free_ char *line = NULL;
        struct mountinfo_entry e;
        size_t cap = 0;
        int k;

        while ((k = mountinfo_next(f, &line, &cap, &e)) > 0) {
                if (!streq(e.fstype, fstype) || (superopt && !has_option(e.superopts, superopt)))
                        continue;
                char *m = strdup(e.mountpoint);
                if (!m)
                        return -ENOMEM;
                *ret = m;
                return 0;
        }
        return k < 0 ? k : -ENOENT;
}

int dbc_root_check_whole(struct dbc_root *r, const char *mountinfo_path, char **ret_mount) {
        _cleanup_fclose_ FILE *f = NULL;
        _cleanup_free_ char *line = NULL;
        struct mountinfo_entry e;
        struct stat root, st;
        size_t cap = 0;
        int k;

        if (!r->is_cgroup2_fs)
                return 0;       /* a fixture tree: whatever it holds is the whole tree */
        if (fstat(r->fd, &root) < 0)
                return -errno;
        f = fopen(mountinfo_path ? mountinfo_path : "/proc/self/mountinfo", "re");
        if (!f)
                return -errno;
        while ((k = mountinfo_next(f, &line, &cap, &e)) > 0) {
                if (!streq(e.fstype, "cgroup2") || !streq(e.root, "/"))
                        continue;
                if (stat(e.mountpoint, &st) == 0 && st.st_dev == root.st_dev && st.st_ino == root.st_ino)
                        return 0;
        }
        if (k < 0)
                return k;
        /* Name the mount it lies in, for the message. */
        rewind(f);
        while ((k = mountinfo_next(f, &line, &cap, &e)) > 0)
                if (streq(e.fstype, "cgroup2") && stat(e.mountpoint, &st) == 0 && st.st_dev == root.st_dev) {
                        char *m = strdup(e.mountpoint);
                        if (!m)
                                return -ENOMEM;
                        *ret_mount = m;
                        return -EXDEV;
                }
        *ret_mount = NULL;
        return -EXDEV;
}

int dbc_cgroup2_mount_find(const char *mountinfo_path, char **ret) {
        _cleanup_fclose_ FILE *f = NULL;

        f = fopen(mountinfo_path, "re");
        if (!f)
                return -errno;
        return dbc_mountinfo_find(f, "cgroup2", NULL, ret);
}

int dbc_memory_v1_mount_find(const char *mountinfo_path, char **ret) {
        _cleanup_fclose_ FILE *f = NULL;

        f = fopen(mountinfo_path, "re");
        if (!f)
                return -errno;
        return dbc_mountinfo_find(f, "cgroup", "memory", ret);
}

int dbc_root_open(const char *path, struct dbc_root **ret) {
        _cleanup_free_ char *detected = NULL;
        _cleanup_close_ int fd = -1;
        struct statfs sfs;
        bool is_cg2;
        int r;

        if (!path) {
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
                return errno == ENOENT ? -EMEDIUMTYPE : -errno;

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
#define STAT_BUF 65536

/* A limit file ("max" allowed) or, with is_limit false, a figure. */
static int read_u64_at(int dirfd, const char *name, bool is_limit, uint64_t *ret, const char **failed) {
        char buf[64];
        int r;

        r = dbc_read_file_at(dirfd, name, buf, sizeof(buf));
        if (r > 0 && buf[r - 1] == '\n')
                buf[r - 1] = '\0';
        if (r >= 0)
                r = is_limit ? dbc_parse_limit(buf, ret) : dbc_parse_u64(buf, ret);
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

        r = read_u64_at(dirfd, "memory.current", false, &s.memory_current, ret_failed);
        if (r >= 0)
                s.has_current = true;
        else if (r != -ENOENT)          /* the root has no memory.current */
                return r;

        if (s.has_current) {
                r = read_u64_at(dirfd, "memory.max", true, &s.memory_max, ret_failed);
                if (r < 0 && r != -ENOENT)
                        return r;
                r = read_u64_at(dirfd, "memory.high", true, &s.memory_high, ret_failed);
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

/* The path comes from the tree, a policy or a freeze record: it never
 * leaves the root and never goes through a symlink (cgroupfs has none; a
 * fixture tree or a forged record might). openat2() says so to the kernel;
 * where it is missing (before 5.6), a walk that opens one component at a
 * time with O_NOFOLLOW and refuses "." and "..". */
static int open_beneath_walk(int rootfd, const char *rel) {
        _cleanup_close_ int cur = -1;
        const char *p = rel;

        cur = openat(rootfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (cur < 0)
                return -errno;
        while (*p) {
                char name[NAME_MAX + 1];
                size_t n = strcspn(p, "/");
                int next;

                if (n == 0) {
                        p++;
                        continue;
                }
                if (n > NAME_MAX)
                        return -ENAMETOOLONG;
                memcpy(name, p, n);
                name[n] = '\0';
                if (streq(name, ".") || streq(name, ".."))
                        return -EXDEV;
                next = openat(cur, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (next < 0)
                        return -errno;
                close(cur);
                cur = next;
                p += n;
        }
        return TAKE_FD(cur);
}

/* name (NULL: the directory itself) of the cgroup path, opened beneath the
 * root without symlinks: one openat2() where it exists. */
static int open_beneath(struct dbc_root *r, const char *path, const char *name, int flags) {
        struct open_how how = {
                .flags = (uint64_t) (flags | O_CLOEXEC),
                .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
        };
        char buf[PATH_MAX];
        const char *rel = path;
        long fd;

        while (*rel == '/')
                rel++;
        if (name) {
                if (strchr(name, '/'))
                        return -EINVAL;
                if ((size_t) snprintf(buf, sizeof(buf), "%s%s%s", rel, *rel ? "/" : "", name) >= sizeof(buf))
                        return -ENAMETOOLONG;
        }
        fd = syscall(SYS_openat2, r->fd, name ? buf : *rel ? rel : ".", &how, sizeof(how));
        if (fd < 0 && (errno == ENOSYS || errno == EPERM)) {
                /* EPERM: a seccomp filter without openat2 */
                _cleanup_close_ int dfd = open_beneath_walk(r->fd, rel);

                if (dfd < 0 || !name)
                        return dfd < 0 ? dfd : TAKE_FD(dfd);
                fd = openat(dfd, name, flags | O_NOFOLLOW | O_CLOEXEC);
        }
        if (fd < 0)
                return -errno;
        return (int) fd;
}

int dbc_cgroup_open(struct dbc_root *r, const char *path) {
        return open_beneath(r, path, NULL, O_RDONLY | O_DIRECTORY);
}

int dbc_cgroup_open_file(struct dbc_root *r, const char *path, const char *name) {
        return open_beneath(r, path, name, O_RDONLY | O_NOCTTY);
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

struct walk {
        struct dbc_root *root;
        dbc_walk_fn fn;
        dbc_walk_error_fn on_error;
        void *userdata;
        char *path;             /* grows as the walk descends */
        size_t cap;
};

static int walk_at(struct walk *w, int dirfd, size_t len) {
        char **names = NULL;
        size_t n = 0;
        int k;

        k = w->fn(w->root, w->path, dirfd, w->userdata);
        if (k < 0)
                return k;
        if (k > 0)
                return 0;       /* fn asked to skip what is below */

        k = dbc_cgroup_children(dirfd, &names, &n);
        if (k == -ENOENT)
                return 0;       /* removed under us */
        if (k < 0) {
                if (k == -ENOMEM)
                        return k;
                if (w->on_error)
                        w->on_error(w->path, k, w->userdata);
                return 0;       /* its children stay unseen; the rest goes on */
        }

        for (size_t i = 0; i < n; i++) {
                size_t nl = strlen(names[i]);
                size_t base = len == 1 ? 0 : len;       /* "/" + name, not "//name" */
                _cleanup_close_ int cfd = -1;

                if (base + 1 + nl + 1 > w->cap) {
                        size_t ncap = (base + 1 + nl + 1) * 2;
                        char *np = realloc(w->path, ncap);
                        if (!np) {
                                k = -ENOMEM;
                                break;
                        }
                        w->path = np;
                        w->cap = ncap;
                }
                w->path[base] = '/';
                memcpy(w->path + base + 1, names[i], nl + 1);

                cfd = openat(dirfd, names[i], O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
                if (cfd < 0) {
                        int e = errno;
                        if (e != ENOENT && e != ENOTDIR && w->on_error)
                                w->on_error(w->path, -e, w->userdata);
                        w->path[len] = '\0';   /* removed, or unreadable: skip it */
                        k = 0;
                        continue;
                }
                k = walk_at(w, cfd, base + 1 + nl);
                w->path[len] = '\0';
                if (k < 0)
                        break;
        }
        dbc_strv_free(names, n);
        return k < 0 ? k : 0;
}

static int walk_from(struct dbc_root *r, int fd, const char *norm, dbc_walk_fn fn,
                     dbc_walk_error_fn on_error, void *userdata) {
        struct walk w = { .root = r, .fn = fn, .on_error = on_error, .userdata = userdata };
        int k;

        w.cap = strlen(norm) + 256;
        w.path = malloc(w.cap);
        if (!w.path)
                return -ENOMEM;
        strcpy(w.path, norm);
        k = walk_at(&w, fd, strlen(norm));
        free(w.path);
        return k;
}

int dbc_cgroup_walk_full(struct dbc_root *r, const char *start, dbc_walk_fn fn,
                         dbc_walk_error_fn on_error, void *userdata) {
        _cleanup_free_ char *norm = NULL;
        _cleanup_close_ int fd = -1;
        int k;

        k = dbc_cgroup_path_normalize(start ? start : "/", &norm);
        if (k < 0)
                return k;
        fd = dbc_cgroup_open(r, norm);
        if (fd < 0)
                return fd;
        return walk_from(r, fd, norm, fn, on_error, userdata);
}

int dbc_cgroup_walk_at(struct dbc_root *r, int dirfd, const char *path, dbc_walk_fn fn,
                       dbc_walk_error_fn on_error, void *userdata) {
        return walk_from(r, dirfd, path, fn, on_error, userdata);
}

int dbc_cgroup_id(int dirfd, uint64_t *ret) {
        struct stat st;

        if (fstat(dirfd, &st) < 0)
                return -errno;
        *ret = (uint64_t) st.st_ino;
        return 0;
}

int dbc_cgroup_id_of(struct dbc_root *r, const char *path, uint64_t *ret) {
        _cleanup_close_ int fd = dbc_cgroup_open(r, path);

        if (fd < 0)
                return fd;
        return dbc_cgroup_id(fd, ret);
}

int dbc_cgroup_walk(struct dbc_root *r, const char *start, dbc_walk_fn fn, void *userdata) {
        return dbc_cgroup_walk_full(r, start, fn, NULL, userdata);
}
