/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "dmabufctl/memstat.h"

/* An open cgroup2 hierarchy (the real one, or a fixture tree shaped like it). */
struct dbc_root {
        int fd;                 /* O_DIRECTORY of the root */
        char *path;             /* as given or detected */
        bool is_cgroup2_fs;     /* statfs says cgroup2 (false for a fixture tree) */
};

/* The mount point of the first mount of file system type fstype in a
 * mountinfo stream whose super options include superopt (NULL: any), with
 * mountinfo's \ooo escapes undone. Returns 0, -ENOENT when there is none,
 * -EIO on a read error. */
int dbc_mountinfo_find(FILE *f, const char *fstype, const char *superopt, char **ret);

/* The first cgroup2 mount point in a mountinfo file (normally
 * /proc/self/mountinfo); errors as above, or opening the file. */
int dbc_cgroup2_mount_find(const char *mountinfo_path, char **ret);

/* Where cgroup v1 mounts the memory controller (a v1/v2 hybrid), if it does. */
int dbc_memory_v1_mount_find(const char *mountinfo_path, char **ret);

/* Open the hierarchy at path; path NULL means the cgroup2 mount of
 * /proc/self/mountinfo (the programs resolve $DMABUFCTL_CGROUP_ROOT
 * themselves). A directory counts as a cgroup2 hierarchy when it is on
 * cgroup2fs, or (fixture trees) holds a cgroup.controllers file. Errors:
 * -ENOENT / -ENOTDIR / -EACCES for the path, -EMEDIUMTYPE when it is a
 * directory but no cgroup2 hierarchy (for example the tmpfs of a v1/v2
 * hybrid), -ENOMEDIUM when path is NULL and no cgroup2 is mounted. */
int dbc_root_open(const char *path, struct dbc_root **ret);
void dbc_root_free(struct dbc_root *r);

/* Is r the whole hierarchy? dmabufd must see every cgroup to know which
 * ones hold itself. A fixture tree (not on cgroup2fs: statfs magic is not
 * CGROUP2_SUPER_MAGIC) always counts as whole. On cgroup2fs, r must be the
 * mount point of a cgroup2 mount whose root (mountinfo's fourth field) is
 * "/" (the hierarchy's root, or a cgroup namespace's), compared by device
 * and inode. Returns 0; -EXDEV when it is a cgroup inside a hierarchy, with
 * *ret_mount the mount point it lies under (allocated; NULL when none is
 * found); other negative errnos reading mountinfo_path (NULL:
 * /proc/self/mountinfo). */
int dbc_root_check_whole(struct dbc_root *r, const char *mountinfo_path, char **ret_mount);

/* Explain -EMEDIUMTYPE for path in one line ("tmpfs holding cgroup v1
 * controllers: a v1/v2 hybrid; the cgroup2 tree is at .../unified"). The
 * string is allocated; NULL on OOM. */
char *dbc_root_explain_not_cgroup2(const char *path);

/* Normalise a cgroup argument relative to the root: adds the leading '/',
 * folds "//" and "/./", drops a trailing '/'. Any ".." component is refused
 * with -EXDEV (it could leave the root). Empty input is -EINVAL. */
int dbc_cgroup_path_normalize(const char *in, char **ret);

/* One reading of a cgroup. Values are bytes; DBC_SIZE_MAX stands for "max". */
struct dbc_sample {
        uint64_t id;                    /* inode of the cgroup directory (cgroup2 id) */
        bool has_memory;                /* memory controller on: memory.current or memory.stat exists */
        bool has_current;               /* memory.current exists (not on the root) */
        uint64_t memory_current;
        uint64_t memory_max;
        uint64_t memory_high;
        bool has_stat;                  /* memory.stat was read */
        struct dbc_memstat stat;
};

/* Read memory.current, memory.max, memory.high and memory.stat of path.
 * A cgroup without the memory controller gives has_memory = false and
 * returns 0. Returns -ENOENT when the cgroup does not exist (or vanished),
 * -EACCES etc. for unreadable files, -EINVAL for malformed content; then
 * *ret_failed (when not NULL) names the file that failed ("memory.stat"), or
 * is NULL when the failure was not a file's. */
int dbc_cgroup_sample(struct dbc_root *r, const char *path, struct dbc_sample *ret, const char **ret_failed);

/* Called for each cgroup, parents before children, siblings in name order.
 * dirfd is the cgroup's directory, valid during the call. Returning a
 * negative value stops the walk and is returned by dbc_cgroup_walk();
 * returning 1 skips the cgroups below this one. */
typedef int (*dbc_walk_fn)(struct dbc_root *r, const char *path, int dirfd, void *userdata);

/* Walk the tree below (and including) start ("/" for everything). A cgroup
 * that disappears during the walk is skipped silently; one that cannot be
 * opened or listed (EACCES, EMFILE...) is skipped with its subtree and
 * reported to on_error (when not NULL) with its path and the error, and the
 * walk goes on. Returns 0, a negative value returned by fn, -ENOMEM, or the
 * error of opening start itself. */
typedef void (*dbc_walk_error_fn)(const char *path, int error, void *userdata);
int dbc_cgroup_walk_full(struct dbc_root *r, const char *start, dbc_walk_fn fn,
                         dbc_walk_error_fn on_error, void *userdata);
/* dbc_cgroup_walk_full() without an error callback. */
int dbc_cgroup_walk(struct dbc_root *r, const char *start, dbc_walk_fn fn, void *userdata);

/* dbc_cgroup_walk_full() from an already open directory fd (not closed;
 * path is what the walk reports for it). */
int dbc_cgroup_walk_at(struct dbc_root *r, int dirfd, const char *path, dbc_walk_fn fn,
                       dbc_walk_error_fn on_error, void *userdata);

/* The cgroup id of the cgroup open at dirfd: the inode number of its
 * directory (what the kernel and fdinfo's charged_cgroup_id use). */
int dbc_cgroup_id(int dirfd, uint64_t *ret);
/* The cgroup id of the cgroup at path (relative to r, as
 * dbc_cgroup_open()). Returns 0 or a negative errno (-ENOENT: none). */
int dbc_cgroup_id_of(struct dbc_root *r, const char *path, uint64_t *ret);

/* Read one cgroup's sample through an already open directory fd. */
int dbc_cgroup_sample_at(int dirfd, struct dbc_sample *ret, const char **ret_failed);

/* Open a cgroup's directory (path relative to the root, "/" for the root
 * itself) with O_RDONLY|O_DIRECTORY|O_CLOEXEC. Returns the fd or a negative
 * errno (-ENOENT when it does not exist). */
int dbc_cgroup_open(struct dbc_root *r, const char *path);
/* Open file name of a cgroup (path as above) for reading, in one system
 * call where openat2() exists, never through a symlink. Returns the fd or a
 * negative errno (-ENOENT when either does not exist). */
int dbc_cgroup_open_file(struct dbc_root *r, const char *path, const char *name);

/* The child cgroups of the cgroup open at dirfd, as names in name order
 * (*ret an array of *ret_n strings; free with dbc_strv_free()). */
int dbc_cgroup_children(int dirfd, char ***ret, size_t *ret_n);
void dbc_strv_free(char **names, size_t n);
