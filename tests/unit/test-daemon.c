/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* dmabufd's passes on a scratch copy of the "daemon" fixture tree, driven
 * by hand with a fake clock: grace, cooldown, the offender and the never-act
 * list, memory.events, cgroups that come and go. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tree-util.h"
#include "dmabufd.h"

static char tree[64];
static char conf[96];
static struct daemon d;

static void put(const char *rel, const char *content) {
        tree_put(tree, rel, content);
}

static char *get(const char *rel) {
        return tree_get(tree, rel);
}

static bool killed(const char *cg) {
        char rel[256];

        snprintf(rel, sizeof(rel), "%s/cgroup.kill", cg);
        return strneq(get(rel), "1", 1);
}

static void unkill(const char *cg) {
        char rel[256];

        snprintf(rel, sizeof(rel), "%s/cgroup.kill", cg);
        put(rel, "");
}

static void set_dmabuf(const char *cg, unsigned long long bytes) {
        char rel[256], content[128];

        snprintf(rel, sizeof(rel), "%s/memory.stat", cg);
        snprintf(content, sizeof(content), "anon 4096\nfile 8192\ndmabuf %llu\n", bytes);
        put(rel, content);
}

static void start(const char *daemon_section) {
        char cmd[512];
        FILE *f;

        strcpy(tree, "/tmp/dbc-daemon-XXXXXX");
        cr_assert_not_null(mkdtemp(tree));
        snprintf(cmd, sizeof(cmd), "'%s/tests/fixtures/make-daemon.sh' '%s'", SRCDIR, tree);
        cr_assert_eq(system(cmd), 0);
        /* The player of media.slice freezes as the kernel would say. */
        put("/media.slice/player.service/cgroup.events", "populated 1\nfrozen 1\n");

        snprintf(conf, sizeof(conf), "%s.conf", tree);
        snprintf(cmd, sizeof(cmd), "sed -e '/^\\[daemon\\]/,/^$/d' '%s/tests/fixtures/daemon.conf' > '%s'", SRCDIR, conf);
        cr_assert_eq(system(cmd), 0);
        f = fopen(conf, "ae");
        cr_assert_not_null(f);
        fprintf(f, "\n[daemon]\n%s\nprotect = /system.slice/sshd.service /media.slice/codec.*\n", daemon_section);
        fclose(f);

        d = (struct daemon) { .inotify_fd = -1, .config_path = conf, .config_must_exist = true, .once = false };
        cr_assert_eq(dbc_root_open(tree, &d.root), 0);
        d.self_cgroup = strdup("/system.slice/dmabufd.service");
        cr_assert_eq(daemon_load_config(&d, &d.config), 0);
        cr_assert_eq(daemon_tree_init(&d), 0);
}

static void stop(void) {
        char cmd[256];

        daemon_tree_free(&d);
        dbc_config_free(d.config);
        free(d.self_cgroup);
        dbc_root_free(d.root);
        snprintf(cmd, sizeof(cmd), "rm -rf '%s' '%s'", tree, conf);
        cr_assert_eq(system(cmd), 0);
}

static void start_default(void) {
        start("grace = 2s\ncooldown = 10s\nmetrics-file = /dev/null/none");
}

TestSuite(daemon, .init = start_default, .fini = stop);

Test(daemon, policed_set) {
        /* root, init, camera, sshd, self, apps, media, users (one), idle */
        cr_assert_eq(d.n_watches, 9);
}

Test(daemon, grace_then_kill) {
        daemon_pass(&d, 0);
        cr_assert_not(killed("/system.slice/camera-hal.service"));
        cr_assert_eq(d.wake_ms, 2000, "no pass asked for when the grace ends");
        daemon_pass(&d, 1999);
        cr_assert_not(killed("/system.slice/camera-hal.service"), "acted before its grace");
        daemon_pass(&d, 2000);
        cr_assert(killed("/system.slice/camera-hal.service"), "not acted after its grace");
}

Test(daemon, dip_resets_grace) {
        daemon_pass(&d, 0);
        set_dmabuf("/system.slice/camera-hal.service", 100ULL << 20);
        daemon_pass(&d, 1500);
        set_dmabuf("/system.slice/camera-hal.service", 300ULL << 20);
        daemon_pass(&d, 2500);
        daemon_pass(&d, 4000);
        cr_assert_not(killed("/system.slice/camera-hal.service"), "the dip did not reset the grace");
        daemon_pass(&d, 4500);
        cr_assert(killed("/system.slice/camera-hal.service"));
}

Test(daemon, cooldown) {
        daemon_pass(&d, 0);
        daemon_pass(&d, 2000);
        cr_assert(killed("/system.slice/camera-hal.service"));
        unkill("/system.slice/camera-hal.service");     /* it did not die */
        for (uint64_t t = 3000; t < 12000; t += 1000) {
                daemon_pass(&d, t);
                cr_assert_not(killed("/system.slice/camera-hal.service"), "acted again at %lu, in its cooldown",
                              (unsigned long) t);
        }
        daemon_pass(&d, 12000);
        cr_assert(killed("/system.slice/camera-hal.service"), "not acted again after the cooldown");
}

Test(daemon, offender_not_neighbours) {
        daemon_pass(&d, 0);
        daemon_pass(&d, 2000);
        cr_assert(killed("/apps.slice/app-b.scope"));
        cr_assert_not(killed("/apps.slice/app-a.scope"));
        cr_assert_not(killed("/apps.slice/app-c.scope"));
        cr_assert_not(killed("/apps.slice"), "killed the whole slice");
        /* freeze of media.slice: its busiest child is protected, the next
         * one is frozen, confirmed by cgroup.events. */
        cr_assert_str_eq(get("/media.slice/player.service/cgroup.freeze"), "1\n");
        cr_assert_str_eq(get("/media.slice/codec.service/cgroup.freeze"), "0\n");
}

Test(daemon, never_act_untouched) {
        static const char *const protected[] = {
                "/init.scope", "/system.slice/sshd.service", "/system.slice/dmabufd.service",
        };
        for (uint64_t t = 0; t <= 30000; t += 1000)
                daemon_pass(&d, t);
        for (size_t i = 0; i < ELEMENTSOF(protected); i++) {
                char rel[256];

                cr_assert_not(killed(protected[i]), "%s was killed", protected[i]);
                snprintf(rel, sizeof(rel), "%s/cgroup.freeze", protected[i]);
                cr_assert_str_eq(get(rel), "0\n", "%s was frozen", protected[i]);
        }
        struct stat st;
        char p[256];
        snprintf(p, sizeof(p), "%s/cgroup.kill", tree);
        cr_assert_neq(stat(p, &st), 0, "something wrote the root's cgroup.kill");
        snprintf(p, sizeof(p), "%s/cgroup.freeze", tree);
        cr_assert_neq(stat(p, &st), 0, "something wrote the root's cgroup.freeze");
}

Test(daemon, memory_events_act_at_once) {
        daemon_pass(&d, 0);
        set_dmabuf("/system.slice/camera-hal.service", 10ULL << 20);   /* under: no grace running */
        daemon_pass(&d, 100);
        put("/system.slice/camera-hal.service/memory.events",
            "low 0\nhigh 0\nmax 0\noom 1\noom_kill 1\noom_group_kill 0\n");
        cr_assert_eq(daemon_tree_process_inotify(&d, 150), 0);
        cr_assert(killed("/system.slice/camera-hal.service"), "a new oom_kill was not acted on");
}

Test(daemon, cgroups_come_and_go) {
        char p[256];

        daemon_pass(&d, 0);
        snprintf(p, sizeof(p), "%s/user.slice/user-1001.slice", tree);
        cr_assert_eq(mkdir(p, 0755), 0);
        put("/user.slice/user-1001.slice/memory.stat", "dmabuf 314572800\n");
        put("/user.slice/user-1001.slice/memory.current", "314572800\n");
        put("/user.slice/user-1001.slice/cgroup.procs", "1001\n");
        put("/user.slice/user-1001.slice/cgroup.kill", "");
        cr_assert_eq(daemon_tree_process_inotify(&d, 10), 0);
        cr_assert_eq(d.n_watches, 10, "a cgroup created after start is not policed");
        daemon_pass(&d, 1000);
        daemon_pass(&d, 3000);
        cr_assert(killed("/user.slice/user-1001.slice"));

        char cmd[300];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", p);
        cr_assert_eq(system(cmd), 0);
        cr_assert_eq(daemon_tree_process_inotify(&d, 3100), 0);
        cr_assert_eq(d.n_watches, 9, "a removed cgroup is still policed");
        daemon_pass(&d, 4000);
}

Test(daemon, reload_rematches) {
        struct dbc_config *c = NULL;
        FILE *f = fopen(conf, "ae");

        cr_assert_not_null(f);
        fputs("\n[policy:extra]\ncgroup = /apps.slice/app-*.scope\ndmabuf.max = 1G\n", f);
        fclose(f);
        cr_assert_eq(daemon_load_config(&d, &c), 0);
        struct dbc_config *old = d.config;
        d.config = c;
        cr_assert_eq(daemon_tree_rematch(&d), 0);
        dbc_config_free(old);
        cr_assert_eq(d.n_watches, 12);
        daemon_pass(&d, 0);
}

Test(daemon, warn_from_memory_high_written_later) {
        /* user-1000 (150M current) warns by dmabuf.warn already; idle.slice
         * (10M current, 1M dmabuf) is ok until its memory.high drops. */
        daemon_pass(&d, 0);
        size_t i;
        for (i = 0; i < d.n_watches; i++)
                if (streq(d.policed[i]->path, "/idle.slice"))
                        break;
        cr_assert_lt(i, d.n_watches);
        struct watch *w = d.policed[i]->watch;
        cr_assert_eq(w->state, DBC_STATE_OK);
        put("/idle.slice/memory.high", "4096\n");
        cr_assert_eq(daemon_tree_process_inotify(&d, 50), 0);
        cr_assert_eq(w->memory_high, 4096, "memory.high written after start was not re-read");
        daemon_pass(&d, 100);
        cr_assert_eq(w->state, DBC_STATE_WARN, "memory.current above memory.high does not warn");
}

Test(daemon, unconfirmed_freeze_is_undone) {
        /* The kernel never says "frozen 1" for the player: after the
         * confirmation time dmabufd thaws it again rather than leave it
         * half frozen. */
        put("/media.slice/player.service/cgroup.events", "populated 1\nfrozen 0\n");
        daemon_pass(&d, 0);
        daemon_pass(&d, 2000);
        cr_assert_str_eq(get("/media.slice/player.service/cgroup.freeze"), "0\n", "left asked to freeze");
}
