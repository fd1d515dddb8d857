/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dmabufctl/attribution.h"
#include "dmabufctl/macro.h"

static char tree[64];

static void setup(void) {
        strcpy(tree, "/tmp/dbc-attr-XXXXXX");
        cr_assert_not_null(mkdtemp(tree));
}

static void teardown(void) {
        char cmd[128];

        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tree);
        cr_assert_eq(system(cmd), 0);
}

/* Write tree/rel (parents created) with printf-formatted content. */
_printf_(2, 3) static void put(const char *rel, const char *fmt, ...) {
        char path[512];
        va_list ap;
        FILE *f;

        snprintf(path, sizeof(path), "%s/%s", tree, rel);
        for (char *p = path + strlen(tree) + 1; (p = strchr(p, '/')); p++) {
                *p = '\0';
                mkdir(path, 0755);
                *p = '/';
        }
        f = fopen(path, "we");
        cr_assert_not_null(f, "%s", path);
        va_start(ap, fmt);
        vfprintf(f, fmt, ap);
        va_end(ap);
        fclose(f);
}

static void proc(int pid, const char *comm, const char *cgroup) {
        char rel[64];

        snprintf(rel, sizeof(rel), "proc/%d/comm", pid);
        put(rel, "%s\n", comm);
        snprintf(rel, sizeof(rel), "proc/%d/cgroup", pid);
        put(rel, "0::%s\n", cgroup);
        snprintf(rel, sizeof(rel), "proc/%d/maps", pid);
        put(rel, "55d0c8a00000-55d0c8a02000 r--p 00000000 fe:01 1835043    /usr/bin/x\n");
        snprintf(rel, sizeof(rel), "proc/%d/fdinfo/0", pid);
        put(rel, "pos:\t0\nflags:\t02\nmnt_id:\t25\nino:\t3\n");
}

static void dmabuf_fd(int pid, int fd, unsigned long ino, unsigned long size, const char *extra) {
        char rel[64];

        snprintf(rel, sizeof(rel), "proc/%d/fdinfo/%d", pid, fd);
        put(rel, "pos:\t0\nflags:\t02000002\nmnt_id:\t16\nino:\t%lu\nsize:\t%lu\ncount:\t1\n"
                 "exp_name:\tsystem\n%s", ino, size, extra ? extra : "");
}

static void map_line(int pid, unsigned long ino, unsigned long size, const char *name) {
        char rel[64];

        snprintf(rel, sizeof(rel), "proc/%d/maps", pid);
        put(rel, "55d0c8a00000-55d0c8a02000 r--p 00000000 fe:01 1835043    /usr/bin/x\n"
                 "7f0000000000-%lx rw-s 00000000 00:0f %lu   /dmabuf:%s\n",
            0x7f0000000000UL + size, ino, name);
}

static struct dbc_scan *scan(struct dbc_root *root) {
        char procdir[128];
        struct dbc_scan_params p = { .proc_root = procdir, .cgroup_root = root };
        struct dbc_scan_error err;
        struct dbc_scan *s = NULL;
        int r;

        snprintf(procdir, sizeof(procdir), "%s/proc", tree);
        r = dbc_scan_run(&p, &s, &err);
        cr_assert_eq(r, 0, "scan: %s: %s", err.path, strerror(-r));
        return s;
}

static const struct dbc_proc *find_proc(const struct dbc_scan *s, pid_t pid) {
        for (size_t i = 0; i < s->n_procs; i++)
                if (s->procs[i].pid == pid)
                        return &s->procs[i];
        return NULL;
}

static const struct dbc_cgroup_use *find_cg(const struct dbc_scan *s, const char *path) {
        for (size_t i = 0; i < s->n_cgroups; i++)
                if (strcmp(s->cgroups[i].cgroup, path) == 0)
                        return &s->cgroups[i];
        return NULL;
}

TestSuite(attribution, .init = setup, .fini = teardown);

Test(attribution, two_fds_one_buffer_and_other_fds_ignored) {
        proc(10, "alloc", "/a");
        dmabuf_fd(10, 3, 500, 8192, "name:\tframe\n");
        dmabuf_fd(10, 4, 500, 8192, "name:\tframe\n");
        put("proc/10/fdinfo/5", "pos:\t0\nflags:\t02\nmnt_id:\t15\nino:\t77\ntfd:        5 events:       19 data:                5  pos:0 ino:3 sdev:d\n");
        put("proc/10/fdinfo/6", "drm-driver:\ti915\ndrm-client-id:\t3\nsize:\t12 KiB\n");
        proc(11, "bystander", "/b");

        struct dbc_scan *s = scan(NULL);
        cr_assert_eq(s->n_buffers, 1);
        cr_assert_eq(s->buffers[0].inode, 500);
        cr_assert_eq(s->buffers[0].size, 8192);
        cr_assert_str_eq(s->buffers[0].exporter, "system");
        cr_assert_str_eq(s->buffers[0].name, "frame");
        cr_assert_eq(s->buffers[0].n_holders, 1);
        cr_assert_eq(s->buffers[0].holders[0].fds, 2);
        cr_assert_eq(s->buffers[0].holders[0].maps, 0);
        cr_assert_eq(s->n_procs, 1);
        cr_assert_eq(s->procs[0].pid, 10);
        cr_assert_str_eq(s->procs[0].comm, "alloc");
        cr_assert_str_eq(s->procs[0].cgroup, "/a");
        cr_assert_eq(s->procs[0].rss, 8192);
        cr_assert_eq(s->procs[0].pss, 8192);
        cr_assert_eq(s->n_scanned, 2);
        cr_assert_eq(s->n_cgroups, 1);
        dbc_scan_free(s);
}

Test(attribution, map_only_buffer) {
        proc(20, "viewer", "/v");
        map_line(20, 600, 16384, "scanout");

        struct dbc_scan *s = scan(NULL);
        cr_assert_eq(s->n_buffers, 1);
        cr_assert_eq(s->buffers[0].inode, 600);
        cr_assert_eq(s->buffers[0].size, 16384);
        cr_assert_null(s->buffers[0].exporter);
        cr_assert_str_eq(s->buffers[0].name, "scanout");
        cr_assert_eq(s->buffers[0].holders[0].fds, 0);
        cr_assert_eq(s->buffers[0].holders[0].maps, 1);
        cr_assert_eq(find_proc(s, 20)->rss, 16384);
        dbc_scan_free(s);
}

Test(attribution, shared_by_three_in_two_cgroups) {
        proc(30, "gralloc", "/sys/gralloc");
        proc(31, "app", "/apps/cam");
        proc(32, "helper", "/apps/cam");
        dmabuf_fd(30, 3, 700, 3 * 4096, NULL);
        dmabuf_fd(31, 3, 700, 3 * 4096, NULL);
        map_line(31, 700, 3 * 4096, "");
        map_line(32, 700, 3 * 4096, "");
        dmabuf_fd(31, 4, 701, 4096, NULL);

        struct dbc_scan *s = scan(NULL);
        cr_assert_eq(s->n_buffers, 2);
        cr_assert_eq(s->buffers[0].n_holders, 3);
        cr_assert_eq(s->buffers[0].holders[1].fds, 1);
        cr_assert_eq(s->buffers[0].holders[1].maps, 1);
        cr_assert_eq(find_proc(s, 30)->pss, 4096);
        cr_assert_eq(find_proc(s, 31)->pss, 4096 + 4096);
        cr_assert_eq(find_proc(s, 31)->rss, 3 * 4096 + 4096);
        cr_assert_eq(find_proc(s, 32)->pss, 4096);
        cr_assert_eq(find_cg(s, "/apps/cam")->rss, 3 * 4096 + 4096);  /* 700 once */
        cr_assert_eq(find_cg(s, "/apps/cam")->pss, 3 * 4096);
        cr_assert_eq(find_cg(s, "/sys/gralloc")->pss, 4096);
        cr_assert_eq(find_cg(s, "/sys/gralloc")->charged, 0);
        dbc_scan_free(s);
}

Test(attribution, charged_cgroup_resolved_by_inode) {
        char cgroot[128], cgdir[160], extra[64];
        struct dbc_root *root;
        struct stat st;

        put("cgroup/cgroup.controllers", "memory\n");
        put("cgroup/apps/cam/cgroup.procs", "%s", "");
        put("cgroup/sys/gralloc/cgroup.procs", "%s", "");
        snprintf(cgroot, sizeof(cgroot), "%s/cgroup", tree);
        snprintf(cgdir, sizeof(cgdir), "%s/apps/cam", cgroot);
        cr_assert_eq(stat(cgdir, &st), 0);
        cr_assert_eq(dbc_root_open(cgroot, &root), 0);

        proc(40, "gralloc", "/sys/gralloc");
        snprintf(extra, sizeof(extra), "charged_cgroup_id:\t%lu\n", (unsigned long) st.st_ino);
        dmabuf_fd(40, 3, 800, 65536, extra);
        dmabuf_fd(40, 4, 801, 4096, "charged_cgroup_id:\t18446744073709551615\n");

        struct dbc_scan *s = scan(root);
        cr_assert_eq(s->n_buffers, 2);
        cr_assert(s->buffers[0].has_charged);
        cr_assert_str_eq(s->buffers[0].charged_cgroup, "/apps/cam");
        cr_assert(s->buffers[1].has_charged);
        cr_assert_null(s->buffers[1].charged_cgroup);
        cr_assert_eq(s->n_unresolved, 1);
        cr_assert_eq(find_cg(s, "/apps/cam")->charged, 65536);
        cr_assert_eq(find_cg(s, "/apps/cam")->rss, 0);
        cr_assert_eq(find_cg(s, "/sys/gralloc")->rss, 65536 + 4096);
        cr_assert_eq(find_cg(s, "/sys/gralloc")->charged, 0);
        dbc_scan_free(s);
        dbc_root_free(root);
}

Test(attribution, fdinfo_without_ino_uses_the_fd) {
        char path[160];
        struct stat st;

        proc(50, "legacy", "/l");
        put("proc/50/fdinfo/7", "pos:\t0\nflags:\t02\nsize:\t4096\ncount:\t1\nexp_name:\tsystem\n");
        put("proc/50/fd/7", "%s", "");
        snprintf(path, sizeof(path), "%s/proc/50/fd/7", tree);
        cr_assert_eq(stat(path, &st), 0);

        struct dbc_scan *s = scan(NULL);
        cr_assert_eq(s->n_buffers, 1);
        cr_assert_eq(s->buffers[0].inode, (uint64_t) st.st_ino);
        dbc_scan_free(s);
}

Test(attribution, vanished_process_skipped) {
        proc(60, "stays", "/s");
        dmabuf_fd(60, 3, 900, 4096, NULL);
        put("proc/61/comm", "gone\n");         /* no fdinfo, no maps: it exited */

        struct dbc_scan *s = scan(NULL);
        cr_assert_eq(s->n_procs, 1);
        cr_assert_eq(s->n_denied, 0);
        dbc_scan_free(s);
}

/* One malformed fdinfo costs that buffer, counted, never the run. */
Test(attribution, malformed_fdinfo_is_skipped_and_counted) {
        char procdir[128], want[192];
        struct dbc_scan_params p = { .proc_root = procdir };
        struct dbc_scan_error err;
        struct dbc_scan *s = NULL;

        proc(70, "bad", "/b");
        put("proc/70/fdinfo/9", "size:\tbig\nexp_name:\tsystem\n");
        dmabuf_fd(70, 4, 900, 8192, "");
        snprintf(procdir, sizeof(procdir), "%s/proc", tree);
        snprintf(want, sizeof(want), "%s/70/fdinfo/9", procdir);
        cr_assert_eq(dbc_scan_run(&p, &s, &err), 0);
        cr_assert_eq(s->n_malformed, 1);
        cr_assert_str_eq(s->malformed_path, want);
        cr_assert_eq(s->n_buffers, 1);
        cr_assert_eq(s->buffers[0].inode, 900);
        dbc_scan_free(s);
}

Test(attribution, malformed_maps_names_the_file) {
        char procdir[128], want[192];
        struct dbc_scan_params p = { .proc_root = procdir };
        struct dbc_scan_error err;
        struct dbc_scan *s = NULL;

        proc(71, "bad", "/b");
        put("proc/71/maps", "not a maps line\n");
        snprintf(procdir, sizeof(procdir), "%s/proc", tree);
        snprintf(want, sizeof(want), "%s/71/maps", procdir);
        cr_assert_eq(dbc_scan_run(&p, &s, &err), -EINVAL);
        cr_assert_str_eq(err.path, want);
}

Test(attribution, missing_proc_root) {
        struct dbc_scan_params p = { .proc_root = "/nonexistent/proc" };
        struct dbc_scan_error err;
        struct dbc_scan *s = NULL;

        cr_assert_eq(dbc_scan_run(&p, &s, &err), -ENOENT);
        cr_assert_str_eq(err.path, "/nonexistent/proc");
}

Test(attribution, sysfs_fills_map_only_buffer) {
        char procdir[128], sysdir[128];
        struct dbc_scan_params p = { .proc_root = procdir, .sysfs_root = sysdir };
        struct dbc_scan_error err;
        struct dbc_scan *s = NULL;

        proc(80, "viewer", "/v");
        map_line(80, 1000, 4096, "x");
        put("sys/kernel/dmabuf/buffers/1000/size", "65536\n");
        put("sys/kernel/dmabuf/buffers/1000/exporter_name", "system\n");
        snprintf(procdir, sizeof(procdir), "%s/proc", tree);
        snprintf(sysdir, sizeof(sysdir), "%s/sys", tree);
        cr_assert_eq(dbc_scan_run(&p, &s, &err), 0);
        cr_assert_eq(s->buffers[0].size, 65536);
        cr_assert_str_eq(s->buffers[0].exporter, "system");
        cr_assert(s->used_sysfs);
        dbc_scan_free(s);
}

Test(proc_cgroup, parse) {
        char *p = NULL;
        const char *v1 = "12:memory:/user.slice\n1:name=systemd:/x\n";
        const char *mixed = "1:name=systemd:/x\n0::/apps.slice/cam.service\n";

        cr_assert_eq(dbc_proc_cgroup_parse(mixed, strlen(mixed), &p), 0);
        cr_assert_str_eq(p, "/apps.slice/cam.service");
        free(p);
        cr_assert_eq(dbc_proc_cgroup_parse(v1, strlen(v1), &p), -ENOENT);
        cr_assert_eq(dbc_proc_cgroup_parse("0::/", 4, &p), 0);
        cr_assert_str_eq(p, "/");
        free(p);
}
