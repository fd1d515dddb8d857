/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Writing budgets (memory.max, memory.high) of plain cgroups, and creating
 * and removing the cgroups of `dmabufctl run`.
 *
 * Writes go through libcgroup when the tree is the cgroup2 mount libcgroup
 * found itself. libcgroup resolves mount points from the system's mount
 * table and has no way to be pointed at another directory, so on a --root
 * fixture tree (or a second cgroup2 mount) the same writes go straight to
 * the files. Reads go to the files on both paths (see cgroup.c): what is
 * returned is what is in force, whoever wrote it.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libcgroup.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "dmabufctl/limits.h"
#include "dmabufctl/target.h"
#include "dmabufctl/macro.h"
#include "dmabufctl/memstat.h"
#include "dmabufctl/size.h"

static const char *const limit_files[_DBC_LIMIT_N] = {
        [DBC_LIMIT_MEMORY_MAX]  = "memory.max",
        [DBC_LIMIT_MEMORY_HIGH] = "memory.high",
};

static const char *const limit_properties[_DBC_LIMIT_N] = {
        [DBC_LIMIT_MEMORY_MAX]  = "MemoryMax",
        [DBC_LIMIT_MEMORY_HIGH] = "MemoryHigh",
};

const char *dbc_limit_file(enum dbc_limit l) {
        return l < _DBC_LIMIT_N ? limit_files[l] : NULL;
}

const char *dbc_limit_property(enum dbc_limit l) {
        return l < _DBC_LIMIT_N ? limit_properties[l] : NULL;
}

/* path relative to the root, without leading slashes; "" is the root. */
static const char *relative(const char *path) {
        while (*path == '/')
                path++;
        return path;
}

static int open_dir(struct dbc_root *r, const char *path) {
        const char *rel = relative(path);
        int fd;

        fd = openat(r->fd, *rel ? rel : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return errno == ENOTDIR ? -ENOENT : -errno;
        return fd;
}

static void cgroup_freep(struct cgroup **cg) {
        if (*cg)
                cgroup_free(cg);
}

/* libcgroup's ECG* codes as an errno. */
static int ecg_to_errno(int ecg) {
        int e;

        switch (ecg) {
        case 0:
                return 0;
        case ECGOTHER:
                e = cgroup_get_last_errno();
                return e > 0 ? -e : -EIO;
        case ECGROUPNOTEXIST:
                return -ENOENT;
        case ECGROUPNOTALLOWED:
        case ECGROUPNOTOWNER:
                return -EACCES;
        case ECGROUPNOTMOUNTED:
        case ECGROUPSUBSYSNOTMOUNTED:
        case ECGROUPNOTINITIALIZED:
        case ECGROUPVALUENOTEXIST:
        case ECGCANTSETVALUE:
                return -ENOMEDIUM;
        default:
                return -EIO;
        }
}

static int lcg_state;   /* 0 not tried, 1 initialised, negative errno: failed */
static char *lcg_mount; /* where libcgroup found the memory controller */

bool dbc_cgroup_uses_libcgroup(struct dbc_root *r) {
        char a[PATH_MAX], b[PATH_MAX];

        if (!r->is_cgroup2_fs)
                return false;
        if (lcg_state == 0) {
                int k = cgroup_init();
                if (k == 0)
                        k = cgroup_get_subsys_mount_point("memory", &lcg_mount);
                lcg_state = k == 0 ? 1 : ecg_to_errno(k);
        }
        if (lcg_state < 0 || !lcg_mount)
                return false;
        if (!realpath(lcg_mount, a) || !realpath(r->path, b))
                return false;
        return streq(a, b);
}

/* Set one file of the memory controller's directory of rel through libcgroup. */
static int lcg_set(const char *rel, const char *file, const char *value) {
        _cleanup_(cgroup_freep) struct cgroup *cg = NULL;
        struct cgroup_controller *ctl;
        int k;

        cg = cgroup_new_cgroup(rel);
        if (!cg)
                return -ENOMEM;
        ctl = cgroup_add_controller(cg, "memory");
        if (!ctl)
                return -ENOMEM;
        k = cgroup_add_value_string(ctl, file, value);
        if (k != 0)
                return ecg_to_errno(k);
        return ecg_to_errno(cgroup_modify_cgroup(cg));
}

/* The fixture path: the files themselves, never created. */
static int direct_set(int dirfd, const char *file, const char *value) {
        _cleanup_close_ int fd = -1;
        size_t len = strlen(value);
        ssize_t n;

        fd = openat(dirfd, file, O_WRONLY | O_TRUNC | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
                return errno == ENOENT ? -ENOMEDIUM : -errno;
        n = write(fd, value, len);
        if (n < 0)
                return -errno;
        if ((size_t) n != len)
                return -EIO;
        return 0;
}

static int read_limit_at(int dirfd, const char *file, uint64_t *ret) {
        char buf[64];
        int k;

        k = dbc_read_file_at(dirfd, file, buf, sizeof(buf));
        if (k == -ENOENT)
                return -ENOMEDIUM;
        if (k < 0)
                return k;
        return dbc_parse_limit(buf, ret);
}

static int open_limit_dir(struct dbc_root *r, const char *path, enum dbc_limit l) {
        if (l >= _DBC_LIMIT_N)
                return -EINVAL;
        if (!*relative(path))
                return -EXDEV;
        return open_dir(r, path);
}

int dbc_cgroup_limit_read(struct dbc_root *r, const char *path, enum dbc_limit l, uint64_t *ret) {
        _cleanup_close_ int fd = -1;

        fd = open_limit_dir(r, path, l);
        if (fd < 0)
                return fd;
        return read_limit_at(fd, limit_files[l], ret);
}

int dbc_cgroup_limit_prepare(struct dbc_root *r, const char *path, enum dbc_limit l, uint64_t *ret) {
        _cleanup_close_ int fd = -1;
        uint64_t v;
        int k;

        fd = open_limit_dir(r, path, l);
        if (fd < 0)
                return fd;
        k = read_limit_at(fd, limit_files[l], &v);
        if (k < 0)
                return k;
        if (faccessat(fd, limit_files[l], W_OK, AT_EACCESS) < 0)
                return -errno;
        *ret = v;
        return 0;
}

static void format_limit(uint64_t v, char buf[static 24]) {
        if (v == DBC_SIZE_MAX)
                strcpy(buf, "max");
        else
                snprintf(buf, 24, "%" PRIu64, v);
}

int dbc_cgroup_limit_write(struct dbc_root *r, const char *path, enum dbc_limit l, uint64_t value,
                           uint64_t *ret_in_force) {
        _cleanup_close_ int fd = -1;
        char buf[24];
        int k;

        fd = open_limit_dir(r, path, l);
        if (fd < 0)
                return fd;
        format_limit(value, buf);
        if (dbc_cgroup_uses_libcgroup(r))
                k = lcg_set(relative(path), limit_files[l], buf);
        else {
                strcat(buf, "\n");
                k = direct_set(fd, limit_files[l], buf);
        }
        if (k < 0)
                return k;
        if (ret_in_force)
                return read_limit_at(fd, limit_files[l], ret_in_force);
        return 0;
}

/* Enable the memory controller for the children of rel. */
static int enable_memory(struct dbc_root *r, int dirfd, const char *rel) {
        char buf[256];
        int k;

        k = dbc_read_file_at(dirfd, "cgroup.subtree_control", buf, sizeof(buf));
        if (k == -ENOENT && !r->is_cgroup2_fs)
                return 0;       /* a fixture tree that does not model it */
        if (k < 0)
                return k == -ENOENT ? -ENOMEDIUM : k;
        for (char *p = buf, *w; (w = strsep(&p, " \n"));)
                if (streq(w, "memory"))
                        return 0;
        if (dbc_cgroup_uses_libcgroup(r))
                return lcg_set(rel, "cgroup.subtree_control", "+memory");
        return direct_set(dirfd, "cgroup.subtree_control", "+memory\n");
}

static int lcg_create(const char *rel, uint64_t memory_max) {
        _cleanup_(cgroup_freep) struct cgroup *cg = NULL;
        struct cgroup_controller *ctl;
        char buf[24];
        int k;

        cg = cgroup_new_cgroup(rel);
        if (!cg)
                return -ENOMEM;
        ctl = cgroup_add_controller(cg, "memory");
        if (!ctl)
                return -ENOMEM;
        if (memory_max != DBC_SIZE_MAX) {
                format_limit(memory_max, buf);
                k = cgroup_add_value_string(ctl, "memory.max", buf);
                if (k != 0)
                        return ecg_to_errno(k);
        }
        return ecg_to_errno(cgroup_create_cgroup(cg, 1));
}

/* A fixture cgroup: a directory with the files our tools read and write. */
static int fixture_create(int parentfd, const char *name, uint64_t memory_max) {
        static const char *const files[] = {
                "cgroup.procs", "cgroup.controllers", "cgroup.subtree_control",
                "memory.current", "memory.max", "memory.high", "memory.stat",
        };
        _cleanup_close_ int fd = -1;
        char buf[24];

        if (mkdirat(parentfd, name, 0755) < 0)
                return -errno;
        fd = openat(parentfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        for (size_t i = 0; i < ELEMENTSOF(files); i++) {
                _cleanup_close_ int f = openat(fd, files[i], O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
                const char *content = "";

                if (f < 0)
                        return -errno;
                if (streq(files[i], "memory.max") || streq(files[i], "memory.high")) {
                        format_limit(streq(files[i], "memory.max") ? memory_max : DBC_SIZE_MAX, buf);
                        strcat(buf, "\n");
                        content = buf;
                } else if (streq(files[i], "memory.current"))
                        content = "0\n";
                else if (streq(files[i], "cgroup.controllers"))
                        content = "memory\n";
                if (write(f, content, strlen(content)) != (ssize_t) strlen(content))
                        return -EIO;
        }
        return 0;
}

int dbc_cgroup_create(struct dbc_root *r, const char *path, uint64_t memory_max) {
        _cleanup_free_ char *rel = strdup(relative(path));
        _cleanup_close_ int dirfd = -1;
        bool lcg = dbc_cgroup_uses_libcgroup(r);
        char *p;
        int k;

        if (!rel)
                return -ENOMEM;
        if (!*rel)
                return -EXDEV;
        dirfd = openat(r->fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dirfd < 0)
                return -errno;

        /* Walk down from the root: every ancestor exists and hands the
         * memory controller to its children. */
        p = rel;
        for (;;) {
                char *slash = strchr(p, '/');
                bool last = !slash;
                _cleanup_free_ char *parent = strndup(rel, p == rel ? 0 : (size_t) (p - rel - 1));
                _cleanup_close_ int child = -1;

                if (!parent)
                        return -ENOMEM;
                k = enable_memory(r, dirfd, parent);
                if (k < 0)
                        return k;

                /* rel is now the path down to this component, p its name. */
                if (slash)
                        *slash = '\0';
                child = openat(dirfd, p, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
                if (child >= 0 && last)
                        return -EEXIST;
                if (child < 0 && errno != ENOENT)
                        k = -errno;
                else if (child < 0) {
                        if (lcg)
                                k = lcg_create(rel, last ? memory_max : DBC_SIZE_MAX);
                        else
                                k = fixture_create(dirfd, p, last ? memory_max : DBC_SIZE_MAX);
                        if (k >= 0) {
                                child = openat(dirfd, p, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
                                if (child < 0)
                                        k = -errno;
                        }
                }
                if (slash)
                        *slash = '/';
                if (k < 0)
                        return k;
                if (last) {
                        uint64_t v;

                        /* libcgroup does not fail when a value cannot be
                         * set: check that the budget is in force. */
                        k = read_limit_at(child, "memory.max", &v);
                        if (k < 0)
                                return k;
                        if (memory_max != DBC_SIZE_MAX && v > memory_max)
                                return -EIO;
                        return 0;
                }
                close(dirfd);
                dirfd = TAKE_FD(child);
                p = slash + 1;
        }
}

int dbc_cgroup_remove(struct dbc_root *r, const char *path) {
        const char *rel = relative(path);

        if (!*rel)
                return -EXDEV;
        if (dbc_cgroup_uses_libcgroup(r)) {
                _cleanup_(cgroup_freep) struct cgroup *cg = NULL;
                struct stat st;

                if (fstatat(r->fd, rel, &st, AT_SYMLINK_NOFOLLOW) < 0)
                        return -errno;
                cg = cgroup_new_cgroup(rel);
                if (!cg)
                        return -ENOMEM;
                if (!cgroup_add_controller(cg, "memory"))
                        return -ENOMEM;
                return ecg_to_errno(cgroup_delete_cgroup_ext(cg, CGFLAG_DELETE_EMPTY_ONLY));
        }
        if (r->is_cgroup2_fs)
                return unlinkat(r->fd, rel, AT_REMOVEDIR) < 0 ? -errno : 0;

        /* A fixture directory: its files first. */
        _cleanup_close_ int fd = open_dir(r, path);
        _cleanup_closedir_ DIR *d = NULL;
        struct dirent *de;

        if (fd < 0)
                return fd;
        d = fdopendir(fd);
        if (!d)
                return -errno;
        fd = -1;        /* owned by d now */
        while ((errno = 0, de = readdir(d))) {
                if (de->d_type == DT_DIR)
                        continue;
                if (unlinkat(dirfd(d), de->d_name, 0) < 0)
                        return -errno;
        }
        if (errno)
                return -errno;
        return unlinkat(r->fd, rel, AT_REMOVEDIR) < 0 ? (errno == ENOTEMPTY ? -EBUSY : -errno) : 0;
}

int dbc_cgroup_kill_wait(struct dbc_root *r, const char *path, unsigned timeout_ms) {
        _cleanup_close_ int fd = -1;
        struct timespec start, now;
        int k;

        if (!r->is_cgroup2_fs)
                return 0;
        fd = open_dir(r, path);
        if (fd < 0)
                return fd;
        k = dbc_cgroup_populated(fd);
        if (k <= 0)
                return k;
        /* libcgroup has no call for cgroup.kill (Linux 5.14). */
        k = direct_set(fd, "cgroup.kill", "1");
        if (k < 0)
                return k;
        clock_gettime(CLOCK_MONOTONIC, &start);
        for (;;) {
                k = dbc_cgroup_populated(fd);
                if (k <= 0)
                        return k;
                clock_gettime(CLOCK_MONOTONIC, &now);
                if ((now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000 >= timeout_ms)
                        return -ETIME;
                poll(NULL, 0, 10);
        }
}

int dbc_cgroup_open_procs(struct dbc_root *r, const char *path) {
        _cleanup_close_ int dirfd = -1;
        int fd;

        dirfd = open_dir(r, path);
        if (dirfd < 0)
                return dirfd;
        fd = openat(dirfd, "cgroup.procs", O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
        return fd < 0 ? -errno : fd;
}
