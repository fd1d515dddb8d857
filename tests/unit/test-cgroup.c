/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tree-util.h"
#include "dmabufctl/cgroup.h"
#include "dmabufctl/macro.h"
#include "dmabufctl/size.h"

static char tree[64];

static void put(const char *rel, const char *content) {
        tree_put(tree, rel, content);
}

static void dir(const char *rel) {
        tree_mkdir(tree, rel);
}

static void setup(void) {
        strcpy(tree, "/tmp/dbc-cg-XXXXXX");
        cr_assert_not_null(mkdtemp(tree));
        put("cgroup.controllers", "memory pids\n");
        put("memory.stat", "anon 0\ndmabuf 0\n");
        dir("b.slice");
        put("b.slice/cgroup.procs", "");
        put("b.slice/memory.current", "4096\n");
        put("b.slice/memory.max", "max\n");
        put("b.slice/memory.high", "8192\n");
        put("b.slice/memory.stat", "dmabuf 2097152\nanon 4096\n");
        dir("a.slice");
        put("a.slice/cgroup.procs", "");
        dir("a.slice/nomem");           /* no memory controller enabled */
        put("a.slice/nomem/cgroup.procs", "");
        put("a.slice/nomem/cgroup.controllers", "");
}

static void teardown(void) {
        char cmd[128];

        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tree);
        cr_assert_eq(system(cmd), 0);
}

TestSuite(cgroup, .init = setup, .fini = teardown);

Test(cgroup, normalize) {
        static const struct { const char *in, *out; } ok[] = {
                { "/", "/" }, { "", NULL }, { "a", "/a" }, { "/a/", "/a" }, { "//a//b/", "/a/b" },
                { "a/./b", "/a/b" }, { ".", "/" }, { "/apps.slice/camera.service", "/apps.slice/camera.service" },
                { "with space/q\"uote", "/with space/q\"uote" },
        };
        for (size_t i = 0; i < ELEMENTSOF(ok); i++) {
                char *s = NULL;
                int r = dbc_cgroup_path_normalize(ok[i].in, &s);
                if (!ok[i].out) {
                        cr_assert_eq(r, -EINVAL);
                        continue;
                }
                cr_assert_eq(r, 0, "%s", ok[i].in);
                cr_assert_str_eq(s, ok[i].out);
                free(s);
        }
        char *s = NULL;
        cr_assert_eq(dbc_cgroup_path_normalize("..", &s), -EXDEV);
        cr_assert_eq(dbc_cgroup_path_normalize("/a/../../etc", &s), -EXDEV);
        cr_assert_eq(dbc_cgroup_path_normalize("a/..", &s), -EXDEV);
        cr_assert_null(s);
        /* ".." inside a name is a name */
        cr_assert_eq(dbc_cgroup_path_normalize("/a..b", &s), 0);
        cr_assert_str_eq(s, "/a..b");
        free(s);
}

Test(cgroup, open_root) {
        struct dbc_root *r = NULL;

        cr_assert_eq(dbc_root_open(tree, &r), 0);
        cr_assert_not(r->is_cgroup2_fs);
        dbc_root_free(r);
        r = NULL;
        cr_assert_eq(dbc_root_open("/nonexistent/dbc", &r), -ENOENT);
        cr_assert_eq(dbc_root_open("/etc/hostname", &r), -ENOTDIR);
        cr_assert_eq(dbc_root_open("/etc", &r), -EMEDIUMTYPE);
        cr_assert_null(r);
        char *why = dbc_root_explain_not_cgroup2("/etc");
        cr_assert_not_null(strstr(why, "/etc is not a cgroup2 hierarchy"), "%s", why);
        free(why);
}

Test(cgroup, sample) {
        struct dbc_root *r = NULL;
        struct dbc_sample s;

        cr_assert_eq(dbc_root_open(tree, &r), 0);
        cr_assert_eq(dbc_cgroup_sample(r, "/b.slice", &s, NULL), 0);
        cr_assert(s.has_memory);
        cr_assert_eq(s.memory_current, 4096);
        cr_assert_eq(s.memory_max, DBC_SIZE_MAX);
        cr_assert_eq(s.memory_high, 8192);
        cr_assert(s.has_stat && s.stat.has_dmabuf);
        cr_assert_eq(s.stat.dmabuf, 2097152);
        cr_assert_neq(s.id, 0);

        /* root: no memory.current, memory.max or memory.high, but memory.stat */
        cr_assert_eq(dbc_cgroup_sample(r, "/", &s, NULL), 0);
        cr_assert(s.has_memory && s.has_stat);
        cr_assert_not(s.has_current);
        cr_assert_eq(s.memory_max, DBC_SIZE_MAX);

        cr_assert_eq(dbc_cgroup_sample(r, "/a.slice/nomem", &s, NULL), 0);
        cr_assert_not(s.has_memory);
        cr_assert_not(s.has_stat);

        cr_assert_eq(dbc_cgroup_sample(r, "/gone", &s, NULL), -ENOENT);

        const char *failed = NULL;
        put("b.slice/memory.current", "12abc\n");
        cr_assert_eq(dbc_cgroup_sample(r, "/b.slice", &s, &failed), -EINVAL);
        cr_assert_str_eq(failed, "memory.current");
        put("b.slice/memory.current", "1\n");
        put("b.slice/memory.stat", "dmabuf 99999999999999999999\n");
        cr_assert_eq(dbc_cgroup_sample(r, "/b.slice", &s, &failed), -EINVAL);
        cr_assert_str_eq(failed, "memory.stat");
        put("b.slice/memory.stat", "dmabuf 1\n");
        put("b.slice/memory.high", "\n");
        cr_assert_eq(dbc_cgroup_sample(r, "/b.slice", &s, &failed), -EINVAL);
        cr_assert_str_eq(failed, "memory.high");
        dbc_root_free(r);
}

struct seen {
        char paths[16][128];
        size_t n;
        const char *remove;
};

static int record(struct dbc_root *r, const char *path, int dirfd, void *userdata) {
        struct seen *s = userdata;

        cr_assert_lt(s->n, 16);
        snprintf(s->paths[s->n++], 128, "%s", path);
        if (s->remove && streq(path, "/a.slice")) {
                char cmd[256];
                snprintf(cmd, sizeof(cmd), "rm -rf '%s/%s'", tree, s->remove);
                cr_assert_eq(system(cmd), 0);
        }
        return 0;
}

Test(cgroup, walk_order) {
        struct dbc_root *r = NULL;
        struct seen s = {};

        cr_assert_eq(dbc_root_open(tree, &r), 0);
        cr_assert_eq(dbc_cgroup_walk(r, "/", record, &s), 0);
        cr_assert_eq(s.n, 4);
        cr_assert_str_eq(s.paths[0], "/");
        cr_assert_str_eq(s.paths[1], "/a.slice");
        cr_assert_str_eq(s.paths[2], "/a.slice/nomem");
        cr_assert_str_eq(s.paths[3], "/b.slice");

        s = (struct seen) {};
        cr_assert_eq(dbc_cgroup_walk(r, "a.slice", record, &s), 0);
        cr_assert_eq(s.n, 2);
        cr_assert_str_eq(s.paths[1], "/a.slice/nomem");
        cr_assert_eq(dbc_cgroup_walk(r, "/nope", record, &s), -ENOENT);
        dbc_root_free(r);
}

Test(cgroup, removed_during_walk) {
        struct dbc_root *r = NULL;
        struct seen s = { .remove = "b.slice" };

        cr_assert_eq(dbc_root_open(tree, &r), 0);
        cr_assert_eq(dbc_cgroup_walk(r, "/", record, &s), 0);
        /* b.slice vanished after the listing of / was taken: skipped */
        cr_assert_eq(s.n, 3);
        dbc_root_free(r);
}

Test(cgroup, mountinfo) {
        char p[128];
        char *m = NULL;

        snprintf(p, sizeof(p), "%s/mountinfo", tree);
        put("mountinfo",
            "22 1 0:21 / /sys rw,nosuid - sysfs sysfs rw\n"
            "25 22 0:23 / /sys/fs/cgroup ro,nosuid - tmpfs tmpfs ro,mode=755\n"
            "26 25 0:24 / /sys/fs/cgroup/unified rw,nosuid shared:4 - cgroup2 cgroup2 rw,nsdelegate\n"
            "27 25 0:25 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n");
        cr_assert_eq(dbc_cgroup2_mount_find(p, &m), 0);
        cr_assert_str_eq(m, "/sys/fs/cgroup/unified");
        free(m);
        m = NULL;
        put("mountinfo", "30 1 0:26 / /my\\040cg rw - cgroup2 none rw\n");
        cr_assert_eq(dbc_cgroup2_mount_find(p, &m), 0);
        cr_assert_str_eq(m, "/my cg");
        free(m);
        m = NULL;
        put("mountinfo", "22 1 0:21 / /sys rw - sysfs sysfs rw\n");
        cr_assert_eq(dbc_cgroup2_mount_find(p, &m), -ENOENT);
        cr_assert_eq(dbc_cgroup2_mount_find("/nonexistent/mountinfo", &m), -ENOENT);
        cr_assert_null(m);
}

struct errs {
        char path[128];
        int error;
        unsigned n;
};

static int count_only(struct dbc_root *r, const char *path, int dirfd, void *userdata) {
        return 0;
}

static size_t deepest;

static int count_paths(struct dbc_root *r, const char *path, int dirfd, void *userdata) {
        if (strlen(path) > deepest)
                deepest = strlen(path);
        return 0;
}

static void on_error(const char *path, int error, void *userdata) {
        struct errs *e = userdata;

        snprintf(e->path, sizeof(e->path), "%s", path);
        e->error = error;
        e->n++;
}

Test(cgroup, deep_paths_grow) {
        struct dbc_root *r = NULL;
        struct errs e = {};
        char name[251], p[128];
        int fd;

        /* 20 levels of 250-byte names: a path of 5 KiB, longer than PATH_MAX */
        memset(name, 'n', 250);
        name[250] = '\0';
        snprintf(p, sizeof(p), "%s/b.slice", tree);
        fd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        cr_assert_geq(fd, 0);
        for (int i = 0; i < 20; i++) {
                int c;
                cr_assert_eq(mkdirat(fd, name, 0755), 0);
                c = openat(fd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                cr_assert_geq(c, 0);
                close(fd);
                fd = c;
        }
        close(fd);
        cr_assert_eq(dbc_root_open(tree, &r), 0);
        cr_assert_eq(dbc_cgroup_walk_full(r, "/", count_paths, on_error, &e), 0);
        cr_assert_eq(e.n, 0);
        cr_assert_eq(deepest, strlen("/b.slice") + 20 * 251);
        dbc_root_free(r);
}

Test(cgroup, walk_error_callback_for_unopenable) {
        struct dbc_root *r = NULL;
        struct errs e = {};
        struct seen s = {};
        char p[256];

        /* a "cgroup" that is a dangling symlink to a directory name is not
         * followed (O_NOFOLLOW): ELOOP is reported, the rest is walked */
        snprintf(p, sizeof(p), "%s/a.slice/loop", tree);
        cr_assert_eq(symlink("/nonexistent", p), 0);
        cr_assert_eq(dbc_root_open(tree, &r), 0);
        cr_assert_eq(dbc_cgroup_walk_full(r, "/", record, NULL, &s), 0);
        cr_assert_eq(s.n, 4, "symlinks are no cgroups: %zu", s.n);
        cr_assert_eq(dbc_cgroup_walk_full(r, "/", count_only, on_error, &e), 0);
        cr_assert_eq(e.n, 0, "a symlink is not listed as a child: %s", e.path);
        dbc_root_free(r);
}

/* A cgroup's file in one open, never through a symlink nor out of the root. */
Test(cgroup, open_file) {
        struct dbc_root *r = NULL;
        char buf[64], p[256];
        int fd;

        cr_assert_eq(dbc_root_open(tree, &r), 0);
        fd = dbc_cgroup_open_file(r, "/b.slice", "memory.current");
        cr_assert_geq(fd, 0);
        cr_expect_eq(read(fd, buf, sizeof(buf)), 5);
        close(fd);
        fd = dbc_cgroup_open_file(r, "/", "memory.stat");
        cr_assert_geq(fd, 0);
        close(fd);
        cr_expect_eq(dbc_cgroup_open_file(r, "/a.slice", "memory.current"), -ENOENT);
        cr_expect_eq(dbc_cgroup_open_file(r, "/gone.slice", "memory.stat"), -ENOENT);
        cr_expect_eq(dbc_cgroup_open_file(r, "/b.slice", "../b.slice/memory.stat"), -EINVAL);
        /* a cgroup directory that is a symlink, a file that is one, and
         * a path out of the root */
        snprintf(p, sizeof(p), "%s/link.slice", tree);
        cr_assert_eq(symlink("b.slice", p), 0);
        cr_expect_lt(dbc_cgroup_open_file(r, "/link.slice", "memory.current"), 0);
        snprintf(p, sizeof(p), "%s/a.slice/memory.stat", tree);
        cr_assert_eq(symlink("../b.slice/memory.stat", p), 0);
        cr_expect_lt(dbc_cgroup_open_file(r, "/a.slice", "memory.stat"), 0);
        cr_expect_lt(dbc_cgroup_open_file(r, "/..", "etc/hostname"), 0);
        dbc_root_free(r);
}
