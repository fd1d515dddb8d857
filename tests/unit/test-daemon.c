/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* dmabufd's passes on a scratch copy of the "daemon" fixture tree, driven
 * by hand with a fake clock: grace, cooldown, the offender and the never-act
 * list, memory.events, cgroups that come and go. */
#include <criterion/criterion.h>
#include <sys/resource.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dmabufctl/freezerec.h"
#include "tree-util.h"
#include "dmabufd.h"

static char tree[64];
static char conf[96];
static char state[96];
static struct daemon d;
static size_t fd_budget;        /* for the next start(); 0: from RLIMIT_NOFILE */

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

        snprintf(state, sizeof(state), "%s.state", tree);
        d = (struct daemon) { .inotify_fd = -1, .config_path = conf, .config_must_exist = true, .once = false,
                              .proc_root = SRCDIR "/tests/fixtures/proc-daemon", .state_dir = state,
                              .fd_budget = fd_budget };
        cr_assert_eq(dbc_process_start_time(NULL, getpid(), &d.self_start), 0);
        cr_assert_eq(dbc_root_open(tree, &d.root), 0);
        d.self_cgroup = strdup("/system.slice/dmabufd.service");
        cr_assert_eq(daemon_load_config(&d, &d.config), 0);
        cr_assert_eq(daemon_tree_init(&d), 0);
}

static void stop(void) {
        char cmd[512];

        daemon_tree_free(&d);
        free(d.metrics_rows);
        dbc_config_free(d.config);
        free(d.self_cgroup);
        dbc_root_free(d.root);
        snprintf(cmd, sizeof(cmd), "rm -rf '%s' '%s' '%s'", tree, conf, state);
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

static void set_current(const char *cg, unsigned long long bytes) {
        char rel[256], content[32];

        snprintf(rel, sizeof(rel), "%s/memory.current", cg);
        snprintf(content, sizeof(content), "%llu\n", bytes);
        put(rel, content);
}

/* dmabufd(8), "Reading": where dma-buf is counted in memory.current, a
 * cgroup whose memory.current is below its dmabuf.warn (dmabuf.max) cannot
 * be over, and its memory.stat is not read. The fixture's memory.stat here
 * says over while memory.current says it cannot be: memory.current wins
 * until it reaches the warning level, and every metrics pass reads all. */
Test(daemon, current_first) {
        const char *cam = "/system.slice/camera-hal.service";   /* warn 192M, max 256M, stat 300M */
        uint64_t reads;

        d.current_first = true;
        daemon_pass(&d, 0);             /* the first pass writes the metrics: reads every memory.stat */
        cr_assert_eq(d.stat_reads, 9, "the first pass read %lu memory.stat", (unsigned long) d.stat_reads);
        set_current(cam, 100ULL << 20);
        for (size_t i = 0; i < d.n_watches; i++)
                if (!streq(d.policed[i]->path, "/"))
                        set_current(d.policed[i]->path, 1ULL << 20);
        reads = d.stat_reads;
        daemon_pass(&d, 100);
        /* the root has no memory.current: only its memory.stat tells */
        cr_assert_eq(d.stat_reads - reads, 1, "read %lu memory.stat of cgroups that cannot be over",
                     (unsigned long) (d.stat_reads - reads));
        daemon_pass(&d, 2200);
        cr_assert_not(killed(cam), "acted on a cgroup whose memory.current is below its dmabuf.warn");

        set_current(cam, 200ULL << 20);         /* could be over now */
        reads = d.stat_reads;
        daemon_pass(&d, 2300);
        cr_assert_eq(d.stat_reads - reads, 2);
        daemon_pass(&d, 4300);
        cr_assert(killed(cam), "not acted on once memory.current allowed it to be over");
        /* the figures of every cgroup again, once metrics-interval is up */
        reads = d.stat_reads;
        daemon_pass(&d, 15000);
        cr_assert_eq(d.stat_reads - reads, 9);
}

/* A cgroup whose dmabuf was never read is read, whatever memory.current
 * says (a figure for the metrics, and no proof from nothing). */
Test(daemon, current_first_new_cgroup) {
        char p[256];

        d.current_first = true;
        daemon_pass(&d, 0);
        snprintf(p, sizeof(p), "%s/user.slice/user-1001.slice", tree);
        cr_assert_eq(mkdir(p, 0755), 0);
        put("/user.slice/user-1001.slice/memory.stat", "dmabuf 4096\n");
        put("/user.slice/user-1001.slice/memory.current", "8192\n");
        cr_assert_eq(daemon_tree_process_inotify(&d, 10), 0);
        cr_assert_eq(d.n_watches, 10);
        daemon_pass(&d, 100);
        struct watch *w = d.policed[d.n_watches - 1]->watch;
        cr_assert(w->has_dmabuf, "the new cgroup's memory.stat was not read");
        cr_assert_eq(w->dmabuf, 4096);
}

/* Without the property (no series, accounting off) every pass reads them. */
Test(daemon, stat_every_pass) {
        uint64_t reads;

        cr_assert_not(d.current_first);
        daemon_pass(&d, 0);
        reads = d.stat_reads;
        set_current("/system.slice/camera-hal.service", 1ULL << 20);
        daemon_pass(&d, 100);
        cr_assert_eq(d.stat_reads - reads, 9);
        daemon_pass(&d, 2000);
        cr_assert(killed("/system.slice/camera-hal.service"));
}

/* At most two fds per policed cgroup, however the passes go. */
Test(daemon, fds) {
        cr_assert_leq(d.n_kept, 2 * d.n_watches);
        daemon_pass(&d, 0);
        cr_assert_leq(d.n_kept, 2 * d.n_watches);
        d.current_first = true;
        daemon_pass(&d, 100);
        daemon_pass(&d, 15000);
        cr_assert_leq(d.n_kept, 2 * d.n_watches);
}

/* STATUS= counts follow the states, also when a cgroup goes. */
Test(daemon, status_counts) {
        char cmd[300];

        daemon_pass(&d, 0);
        /* camera, apps, media, sshd (over); users (warn from memory.high) */
        size_t over = 0, warn = 0;
        for (size_t i = 0; i < d.n_watches; i++) {
                over += d.policed[i]->watch->state == DBC_STATE_OVER;
                warn += d.policed[i]->watch->state == DBC_STATE_WARN;
        }
        cr_assert_eq(d.n_over, over);
        cr_assert_eq(d.n_warn, warn);
        cr_assert_gt(over, 0);
        snprintf(cmd, sizeof(cmd), "rm -rf '%s/system.slice/camera-hal.service'", tree);
        cr_assert_eq(system(cmd), 0);
        cr_assert_eq(daemon_tree_process_inotify(&d, 10), 0);
        cr_assert_eq(d.n_over, over - 1, "a removed cgroup still counts as over");
        daemon_pass(&d, 100);
        cr_assert_eq(d.n_over, over - 1);
}

static void start_few_fds(void) {
        fd_budget = 3;
        start_default();
        fd_budget = 0;
}

TestSuite(daemon_fds, .init = start_few_fds, .fini = stop);

/* Out of fds to keep: said once, and the rest are opened, read and closed
 * each time; enforcement goes on. */
Test(daemon_fds, out_of_fds) {
        cr_assert_eq(d.n_kept, 3);
        cr_assert(d.fds_exhausted, "not said");
        daemon_pass(&d, 0);
        cr_assert_eq(d.n_kept, 3);
        daemon_pass(&d, 2000);
        cr_assert(killed("/system.slice/camera-hal.service"), "a cgroup without kept fds was not policed");
        cr_assert(killed("/apps.slice/app-b.scope"));
}

/* Out of fds in the middle of a grace: the last figure stands and the
 * grace runs on, so the cgroups over their limit are acted on when the
 * grace ends, not a whole grace after fds are back. */
Test(daemon_fds, emfile_keeps_state) {
        struct rlimit old, low;
        static int fill[4096];
        size_t n = 0;

        daemon_pass(&d, 0);
        cr_assert_eq(getrlimit(RLIMIT_NOFILE, &old), 0);
        low = old;
        low.rlim_cur = 512;
        cr_assert_eq(setrlimit(RLIMIT_NOFILE, &low), 0);
        while (n < sizeof(fill) / sizeof(fill[0]) && (fill[n] = dup(0)) >= 0)
                n++;
        cr_assert_eq(errno, EMFILE);
        daemon_pass(&d, 1000);
        while (n > 0)
                close(fill[--n]);
        cr_assert_eq(setrlimit(RLIMIT_NOFILE, &old), 0);
        cr_assert(!killed("/apps.slice/app-b.scope"), "acted before its grace");
        daemon_pass(&d, 2000);
        cr_assert(killed("/system.slice/camera-hal.service"), "the grace started again after EMFILE");
        cr_assert(killed("/apps.slice/app-b.scope"), "the grace started again after EMFILE");
}

static char metrics_path[128];

static void start_metrics(void) {
        char section[256];

        snprintf(metrics_path, sizeof(metrics_path), "/tmp/dbc-daemon-metrics-%d.prom", (int) getpid());
        snprintf(section, sizeof(section), "grace = 2s\ncooldown = 10s\nmetrics-interval = 5s\nmetrics-file = %s",
                 metrics_path);
        start(section);
}

static void stop_metrics(void) {
        stop();
        unlink(metrics_path);
}

TestSuite(daemon_metrics, .init = start_metrics, .fini = stop_metrics);

static unsigned long written_evaluations(void) {
        _cleanup_free_ char *text = NULL;
        unsigned long v = 0;
        size_t len = 0;
        FILE *f = fopen(metrics_path, "re");
        const char *p;

        cr_assert_not_null(f);
        cr_assert_gt(getdelim(&text, &len, '\0', f), 0);
        fclose(f);
        p = strstr(text, "\ndmabufd_evaluations_total ");
        cr_assert_not_null(p);
        cr_assert_eq(sscanf(p, "\ndmabufd_evaluations_total %lu", &v), 1);
        return v;
}

/* After the first pass, then every metrics-interval (DESIGN.md), a pass
 * that acts included. */
Test(daemon_metrics, interval) {
        for (size_t i = 0; i < d.n_watches; i++)
                set_dmabuf(d.policed[i]->path, 1ULL << 20);     /* none over */
        daemon_pass(&d, 0);
        cr_assert_eq(written_evaluations(), 1);
        daemon_pass(&d, 1000);
        daemon_pass(&d, 4999);
        cr_assert_eq(written_evaluations(), 1, "written before metrics-interval");
        daemon_pass(&d, 5000);
        cr_assert_eq(written_evaluations(), 4);
        set_dmabuf("/system.slice/camera-hal.service", 300ULL << 20);
        daemon_pass(&d, 6000);
        cr_assert_eq(written_evaluations(), 4);
        daemon_pass(&d, 8000);          /* acts */
        cr_assert(killed("/system.slice/camera-hal.service"));
        cr_assert_eq(written_evaluations(), 4, "written before metrics-interval");
        daemon_pass(&d, 10000);
        cr_assert_eq(written_evaluations(), 7);
}

/* A reload that shortens metrics-interval takes effect at the next pass,
 * not after the old interval (review 12b L3). */
Test(daemon_metrics, reload_restarts_interval) {
        struct dbc_config *c = NULL;
        char cmd[512];

        daemon_pass(&d, 0);
        cr_assert_eq(written_evaluations(), 1);
        daemon_pass(&d, 1000);
        cr_assert_eq(written_evaluations(), 1);
        snprintf(cmd, sizeof(cmd), "sed -i 's/^metrics-interval = 5s$/metrics-interval = 1s/' '%s'", conf);
        cr_assert_eq(system(cmd), 0);
        cr_assert_eq(daemon_load_config(&d, &c), 0);
        cr_assert_eq(c->metrics_interval_ms, 1000);
        cr_assert_eq(daemon_tree_rematch(&d, c), 0);
        daemon_pass(&d, 2000);
        cr_assert_eq(written_evaluations(), 3, "the old metrics-interval still ran after the reload");
        daemon_pass(&d, 2500);
        cr_assert_eq(written_evaluations(), 3, "written before the new metrics-interval");
        daemon_pass(&d, 3000);
        cr_assert_eq(written_evaluations(), 5);
}

/* The next pass: an interval after the end of this one, or when a grace
 * ends or the metrics fall due, whichever comes first; never a burst. */
Test(daemon_metrics, next_pass) {
        uint64_t interval_us = d.config->interval_ms * 1000;

        for (size_t i = 0; i < d.n_watches; i++)
                set_dmabuf(d.policed[i]->path, 1ULL << 20);     /* none over: no grace */
        daemon_pass(&d, 0);
        cr_assert_eq(d.wake_ms, 0);
        cr_assert_eq(d.metrics_due_ms, 5000);
        cr_assert_eq(daemon_next_pass_us(&d, 100000, 0), 100000 + interval_us);
        cr_assert_eq(daemon_next_pass_us(&d, 4990000, 0), 5000000, "no pass when the metrics fall due");
        cr_assert_eq(daemon_next_pass_us(&d, 5200000, 0), 5201000, "an overrun past the due time");
        /* A pass that went past a due time rests half its length (review
         * 12c L1), at most an interval. */
        cr_assert_eq(daemon_next_pass_us(&d, 5200000, 100000), 5250000);
        cr_assert_eq(daemon_next_pass_us(&d, 5200000, 100 * interval_us), 5200000 + interval_us);
        cr_assert_eq(daemon_next_pass_us(&d, 4990000, 100000), 5040000, "a due time within the rest waits for it");
        set_dmabuf("/system.slice/camera-hal.service", 300ULL << 20);
        daemon_pass(&d, 1000);                                  /* its grace: 2 s */
        cr_assert_eq(d.wake_ms, 3000);
        cr_assert_eq(daemon_next_pass_us(&d, 2500000, 0), 2500000 + interval_us < 3000000 ? 2500000 + interval_us : 3000000,
                     "no pass when the grace ends");
}

/* Deadlines saturate: an interval, metrics-interval or grace so long that
 * the sum in microseconds would wrap (the parser caps them at 24h; this is
 * the second guard) leaves the next pass far ahead, never in the past,
 * where the timer would fire at once and the daemon spin. */
Test(daemon_metrics, next_pass_saturates) {
        const uint64_t huge_ms = UINT64_MAX / 1000 - 1;
        uint64_t end_us = 200ULL * 1000000;             /* 200 s of uptime */

        d.config->interval_ms = huge_ms;
        d.config->metrics_interval_ms = huge_ms;
        d.config->grace_ms = huge_ms;
        daemon_pass(&d, 200000);
        cr_assert_geq(d.metrics_due_ms, 200000, "metrics due in the past: %llu", (unsigned long long) d.metrics_due_ms);
        cr_assert_geq(d.wake_ms, 200000, "grace ends in the past: %llu", (unsigned long long) d.wake_ms);
        cr_assert_geq(daemon_next_pass_us(&d, end_us, 0), end_us + 1000, "next pass before the end of this one");
        cr_assert_geq(daemon_pass_done(&d, end_us - 1000, end_us), end_us + 1000, "the metrics' lead wrapped");
        cr_assert_geq(d.metrics_due_ms, 200000, "metrics due in the past: %llu", (unsigned long long) d.metrics_due_ms);
        d.wake_ms = 0;
        d.metrics_due_ms = 0;
        cr_assert_eq(daemon_next_pass_us(&d, end_us, 0), UINT64_MAX);
        cr_assert_eq(daemon_next_pass_us(&d, UINT64_MAX - 5, 0), UINT64_MAX);
}

/* The loop (main.c's on_timer) on a fake clock for 60 s, the passes taking
 * dur_us in turn: the figures in the file are never older than
 * metrics-interval (DESIGN.md), counted from the start of the pass that read
 * them to the end of the pass that replaces them, and the file is not
 * written much more often than that. */
static void metrics_age(uint64_t interval_ms, uint64_t metrics_ms, const uint64_t *dur_us, size_t n_dur) {
        uint64_t t = 0, read_at = 0, oldest = 0;
        unsigned long last = 0;
        unsigned writes = 0;

        d.config->interval_ms = interval_ms;
        d.config->metrics_interval_ms = metrics_ms;
        for (size_t i = 0; t < 60000000; i++) {
                uint64_t end = t + dur_us[i % n_dur];
                unsigned long now;

                daemon_pass(&d, t / 1000);
                now = written_evaluations();
                if (now != last) {
                        if (writes > 0 && end - read_at > oldest)
                                oldest = end - read_at;
                        last = now;
                        read_at = t;
                        writes++;
                }
                t = daemon_pass_done(&d, t, end);
        }
        cr_assert_leq(oldest, metrics_ms * 1000, "interval %" PRIu64 " ms, metrics-interval %" PRIu64 " ms: "
                      "figures %" PRIu64 " us old before the file was replaced", interval_ms, metrics_ms, oldest);
        cr_assert_geq(writes, 60000 / metrics_ms);
        cr_assert_leq(writes, 60000 / metrics_ms * 11 / 10 + 1, "%u writes in 60 s", writes);        cr_assert_eq(d.metrics_late, 0, "files replaced in time counted late");
}

Test(daemon_metrics, age_interval_longer) {
        const uint64_t dur[] = { 40000 };

        metrics_age(3000, 1000, dur, ELEMENTSOF(dur));  /* the review's case */
}

Test(daemon_metrics, age_interval_shorter) {
        const uint64_t dur[] = { 30000, 50000, 45000, 80000 };

        metrics_age(1000, 5000, dur, ELEMENTSOF(dur));
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
        /* freeze of media.slice: its busiest child is protected, and the
         * smaller player is a bystander: nothing is frozen. */
        cr_assert_str_eq(get("/media.slice/player.service/cgroup.freeze"), "0\n", "froze a bystander");
        cr_assert_str_eq(get("/media.slice/codec.service/cgroup.freeze"), "0\n");
}

/* The player becomes media.slice's busiest child, holding most of the
 * slice's 330M: a freeze to confirm. */
static void player_busiest(void) {
        set_dmabuf("/media.slice/codec.service", 10ULL << 20);
        set_dmabuf("/media.slice/player.service", 300ULL << 20);
}

static bool frozen(const char *cg) {
        char rel[256];

        snprintf(rel, sizeof(rel), "%s/cgroup.freeze", cg);
        return strneq(get(rel), "1", 1);
}

static size_t n_records(void) {
        struct dbc_freeze_record *r = NULL;
        size_t n = 0;

        cr_assert_eq(dbc_freeze_records_read(state, &r, &n, NULL), 0);
        dbc_freeze_records_free(r, n);
        return n;
}

Test(daemon, freeze_recorded_and_thawed_on_stop) {
        player_busiest();
        daemon_pass(&d, 0);
        daemon_pass(&d, 2000);
        cr_assert(frozen("/media.slice/player.service"));
        cr_assert_eq(n_records(), 1, "the freeze is not recorded");
        daemon_thaw(&d, THAW_STOPPING);
        cr_assert_not(frozen("/media.slice/player.service"), "still frozen after SIGTERM");
        cr_assert_eq(n_records(), 0);
}

Test(daemon, reload_without_freeze_thaws) {
        player_busiest();
        daemon_pass(&d, 0);
        daemon_pass(&d, 2000);
        cr_assert(frozen("/media.slice/player.service"));
        /* Same configuration: the freeze stays. */
        daemon_thaw(&d, THAW_RELOADED);
        cr_assert(frozen("/media.slice/player.service"));
        /* The media policy now only alerts. */
        char cmd[512];
        snprintf(cmd, sizeof(cmd), "sed -i '/^\\[policy:media\\]/,/^$/s/action = freeze/action = alert/' '%s'", conf);
        cr_assert_eq(system(cmd), 0);
        struct dbc_config *c = NULL;
        cr_assert_eq(daemon_load_config(&d, &c), 0);
        cr_assert_eq(daemon_tree_rematch(&d, c), 0);
        daemon_thaw(&d, THAW_RELOADED);
        cr_assert_not(frozen("/media.slice/player.service"), "a policy that no longer freezes left it frozen");
        cr_assert_eq(n_records(), 0);
}

Test(daemon, orphans_thawed_by_id) {
        char p[256];
        int fd;
        uint64_t id;

        /* Left by a dmabufd that died: the player (still the same cgroup)
         * and the camera (removed and created again since: another id). */
        put("/media.slice/player.service/cgroup.freeze", "1\n");
        put("/system.slice/camera-hal.service/cgroup.freeze", "1\n");
        fd = dbc_cgroup_open(d.root, "/media.slice/player.service");
        cr_assert_eq(dbc_cgroup_id(fd, &id), 0);
        close(fd);
        struct dbc_freeze_record r = { .id = id, .path = (char *) "/media.slice/player.service",
                                       .policy = (char *) "media", .pid = 999999, .start = 1 };
        cr_assert_eq(dbc_freeze_record_write(state, &r), 0);
        r = (struct dbc_freeze_record) { .id = 12345, .path = (char *) "/system.slice/camera-hal.service",
                                         .policy = (char *) "camera", .pid = 999999, .start = 1 };
        cr_assert_eq(dbc_freeze_record_write(state, &r), 0);
        /* One of a dmabufd that still runs (this process, another start). */
        r = (struct dbc_freeze_record) { .id = 777, .path = (char *) "/idle.slice", .policy = (char *) "idle",
                                         .pid = getpid(), .start = d.self_start };
        cr_assert_eq(dbc_freeze_record_write(state, &r), 0);
        daemon_thaw(&d, THAW_ORPHANS);
        cr_assert_not(frozen("/media.slice/player.service"), "an orphaned freeze was not thawed");
        cr_assert(frozen("/system.slice/camera-hal.service"), "thawed a cgroup whose id changed");
        cr_assert_eq(n_records(), 1, "the live daemon's record was dropped, or the orphans' kept");
        snprintf(p, sizeof(p), "%s/777", state);
        cr_assert_eq(access(p, F_OK), 0);
}

/* A forged record must not lead a thaw out of the tree, through a symlink,
 * or anywhere at all when the records' directory is not the daemon's own. */
Test(daemon, forged_records_write_nothing) {
        char p[512], victim[160], cmd[512];
        struct stat st;
        FILE *f;
        int fd;

        snprintf(victim, sizeof(victim), "%s.victim", tree);
        f = fopen(victim, "we");
        cr_assert_not_null(f);
        fputs("SECRET\n", f);
        fclose(f);
        /* A symlink inside the tree pointing out of it, and a record that
         * climbs out with "..": both name a cgroup.freeze of the victim. */
        snprintf(cmd, sizeof(cmd), "mkdir -p '%s/evil' && ln -s '%s' '%s/evil/cgroup.freeze' && ln -s '%s' '%s/link'",
                 tree, victim, tree, tree, tree);
        cr_assert_eq(system(cmd), 0);
        fd = dbc_cgroup_open(d.root, "/evil");
        cr_assert_geq(fd, 0);
        uint64_t id;
        cr_assert_eq(dbc_cgroup_id(fd, &id), 0);
        close(fd);
        cr_assert_lt(dbc_cgroup_open(d.root, "/link"), 0, "a symlink in the tree was followed");
        cr_assert_lt(dbc_cgroup_open(d.root, "/evil/../.."), 0, "a path left the root");
        snprintf(p, sizeof(p), "%s/%llu", state, (unsigned long long) id);
        mkdir(state, 0700);
        f = fopen(p, "we");
        cr_assert_not_null(f);
        fprintf(f, "id=%llu\npolicy=media\npid=999999\nstart=1\npath=/../evil\n", (unsigned long long) id);
        fclose(f);
        snprintf(p, sizeof(p), "%s/1", state);
        f = fopen(p, "we");
        cr_assert_not_null(f);
        fprintf(f, "id=%llu\npolicy=media\npid=999999\nstart=1\npath=/evil\n", (unsigned long long) id);
        fclose(f);
        daemon_thaw(&d, THAW_ORPHANS);
        f = fopen(victim, "re");
        cr_assert_not_null(f);
        cr_assert_not_null(fgets(p, sizeof(p), f));
        fclose(f);
        cr_assert_str_eq(p, "SECRET\n", "a thaw wrote through a symlink or out of the tree");
        /* A records directory others may write to is refused whole. */
        cr_assert_eq(chmod(state, 0777), 0);
        struct dbc_freeze_record *r = NULL;
        size_t n = 0;
        cr_assert_eq(dbc_freeze_records_read(state, &r, &n, NULL), -EPERM);
        struct dbc_freeze_record w = { .id = 1, .path = (char *) "/evil", .policy = (char *) "x", .pid = 1, .start = 1 };
        cr_assert_eq(dbc_freeze_record_write(state, &w), -EPERM);
        cr_assert_eq(lstat(victim, &st), 0);
        unlink(victim);
}

Test(daemon, restarted_unit_is_not_hit) {
        struct watch *w = NULL;
        struct node *n = NULL;
        char a[256], b[256], cmd[900];

        for (size_t i = 0; i < d.n_watches; i++)
                if (streq(d.policed[i]->path, "/system.slice/camera-hal.service"))
                        n = d.policed[i];
        cr_assert_not_null(n);
        w = n->watch;
        w->dmabuf = 300ULL << 20;
        struct decision dec = { .target = { .fd = -1 } };
        cr_assert_eq(daemon_decide(&d, n->path, n->id, w->policy, DBC_STATE_OVER, &dec), 0);
        cr_assert_eq(dec.action, DECISION_KILL);
        /* Between choice and action the unit restarts: a new directory of
         * the same name (the old one moved away stands for the old cgroup,
         * which the kernel would remove once empty). */
        snprintf(a, sizeof(a), "%s/system.slice/camera-hal.service", tree);
        snprintf(b, sizeof(b), "%s/system.slice/old-camera", tree);
        cr_assert_eq(rename(a, b), 0);
        snprintf(cmd, sizeof(cmd), "cp -a '%s' '%s' && : > '%s/cgroup.kill'", b, a, a);
        cr_assert_eq(system(cmd), 0);
        daemon_execute(&d, n, &dec);
        decision_done(&dec);
        cr_assert(killed("/system.slice/old-camera"), "the chosen cgroup was not acted on");
        cr_assert_not(killed("/system.slice/camera-hal.service"), "the restarted unit was hit");
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

Test(daemon, memory_events_only_alert) {
        daemon_pass(&d, 0);
        set_dmabuf("/system.slice/camera-hal.service", 0);      /* under, at 0: reclaim at memory.max */
        daemon_pass(&d, 100);
        put("/system.slice/camera-hal.service/memory.events",
            "low 0\nhigh 0\nmax 5\noom 1\noom_kill 1\noom_group_kill 0\n");
        cr_assert_eq(daemon_tree_process_inotify(&d, 150), 0);
        cr_assert_not(killed("/system.slice/camera-hal.service"), "memory.events max/oom_kill killed on their own");
        daemon_pass(&d, 10000);
        cr_assert_not(killed("/system.slice/camera-hal.service"));
}

Test(daemon, memory_events_evaluate_at_once) {
        /* Over since 0: the event at 2000 is the evaluation that acts,
         * without waiting for the next pass. */
        daemon_pass(&d, 0);
        put("/system.slice/camera-hal.service/memory.events",
            "low 0\nhigh 0\nmax 1\noom 0\noom_kill 0\noom_group_kill 0\n");
        cr_assert_eq(daemon_tree_process_inotify(&d, 2000), 0);
        cr_assert(killed("/system.slice/camera-hal.service"), "the event did not evaluate at once");
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

static void add_extra_policy(void) {
        FILE *f = fopen(conf, "ae");

        cr_assert_not_null(f);
        fputs("\n[policy:extra]\ncgroup = /apps.slice/app-*.scope\ndmabuf.max = 1G\n", f);
        fclose(f);
}

Test(daemon, reload_rematches) {
        struct dbc_config *c = NULL;

        add_extra_policy();
        cr_assert_eq(daemon_load_config(&d, &c), 0);
        cr_assert_eq(daemon_tree_rematch(&d, c), 0);
        cr_assert_eq(d.config, c);
        cr_assert_eq(d.n_watches, 12);
        daemon_pass(&d, 0);
}

/* Every watch's policy is one of c's. */
static void watches_point_into(const struct dbc_config *c) {
        for (size_t i = 0; i < d.n_watches; i++) {
                const struct dbc_policy *p = d.policed[i]->watch->policy;
                cr_assert(p >= c->policies && p < c->policies + c->n_policies, "%s: a policy of another configuration",
                          d.policed[i]->path);
        }
}

Test(daemon, reload_out_of_memory_keeps_the_old_state) {
        struct dbc_config *old = d.config;
        unsigned failed = 0;

        add_extra_policy();
        for (unsigned n = 1; n < 100; n++) {
                struct dbc_config *c = NULL;

                cr_assert_eq(daemon_load_config(&d, &c), 0);
                d.fault_alloc = n;
                int k = daemon_tree_rematch(&d, c);
                d.fault_alloc = 0;
                if (k == 0) {
                        /* The rescan after it may have met the fault too:
                         * the next pass catches up. */
                        daemon_pass(&d, 5000);
                        cr_assert_eq(d.n_watches, 12);
                        watches_point_into(c);
                        break;
                }
                cr_assert_eq(k, -ENOMEM);
                failed++;
                cr_assert_eq(d.config, old, "the configuration changed on a failed reload");
                cr_assert_eq(d.n_watches, 9, "allocation %u failed: the watches changed", n);
                watches_point_into(old);
                dbc_config_free(c);
                daemon_pass(&d, n * 10);        /* still works on the old state */
        }
        cr_assert_gt(failed, 3, "the seam did not reach the reload's allocations");
        cr_assert_neq(d.config, old, "never reloaded");
}

static struct watch *watch_of(const char *path) {
        for (size_t i = 0; i < d.n_watches; i++)
                if (streq(d.policed[i]->path, path))
                        return d.policed[i]->watch;
        return NULL;
}

Test(daemon, rescan_and_reload_keep_file_events) {
        struct dbc_config *c = NULL;
        struct watch *w = watch_of("/system.slice/camera-hal.service");

        /* What a queue overflow does, then a reload (SIGHUP). */
        cr_assert_eq(daemon_tree_rescan(&d), 0);
        cr_assert_eq(daemon_load_config(&d, &c), 0);
        cr_assert_eq(daemon_tree_rematch(&d, c), 0);
        cr_assert_eq(daemon_tree_process_inotify(&d, 0), 0);
        put("/system.slice/camera-hal.service/memory.max", "1048576\n");
        cr_assert_eq(daemon_tree_process_inotify(&d, 10), 0);
        w = watch_of("/system.slice/camera-hal.service");
        cr_assert_eq(w->memory_max, 1048576, "after a rescan, memory.max changes are no longer seen");
}

Test(daemon, watches_only_what_policies_need) {
        /* The apps and media children can match no policy: not watched. */
        char p[256];

        cr_assert_eq(d.n_nodes, 11, "watching %zu cgroups", d.n_nodes);
        snprintf(p, sizeof(p), "%s/apps.slice/app-d.scope", tree);
        cr_assert_eq(mkdir(p, 0755), 0);
        cr_assert_eq(daemon_tree_process_inotify(&d, 10), 0);
        cr_assert_eq(d.n_nodes, 11);
        /* A policy that matches them: watched after the reload. */
        struct dbc_config *c = NULL;
        add_extra_policy();
        cr_assert_eq(daemon_load_config(&d, &c), 0);
        cr_assert_eq(daemon_tree_rematch(&d, c), 0);
        cr_assert_eq(d.n_nodes, 15);
        cr_assert_not_null(watch_of("/apps.slice/app-d.scope"));
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
        player_busiest();
        put("/media.slice/player.service/cgroup.events", "populated 1\nfrozen 0\n");
        daemon_pass(&d, 0);
        daemon_pass(&d, 2000);
        cr_assert_str_eq(get("/media.slice/player.service/cgroup.freeze"), "0\n", "left asked to freeze");
        cr_assert_eq(n_records(), 0, "the record of a freeze backed out stays");
}

/* A pass that writes the metrics and takes longer than an eleventh of
 * metrics-interval cannot keep the figures younger than that without
 * writing much more often than asked: it still rests between passes (no
 * busy loop), writes at most a tenth more often than asked, and counts the
 * files replaced late (review 12b M1: a lead up to half the interval made
 * the passes run back to back, and wrote twice as often). */
static void metrics_rest(uint64_t interval_ms, uint64_t metrics_ms, uint64_t dur_us) {
        uint64_t t = 0, busy = 0, total = 0;
        unsigned long last = 0, writes = 0;

        d.config->interval_ms = interval_ms;
        d.config->metrics_interval_ms = metrics_ms;
        while (t < 60000000) {
                uint64_t end = t + dur_us, next;

                daemon_pass(&d, t / 1000);
                if (written_evaluations() != last) {
                        last = written_evaluations();
                        writes++;
                }
                next = daemon_pass_done(&d, t, end);
                busy += dur_us;
                total += next - t;
                t = next;
        }
        cr_log_info("interval %" PRIu64 " ms, metrics-interval %" PRIu64 " ms, pass %" PRIu64 " us: busy %.0f%%, "
                    "%lu writes in 60 s (asked: %" PRIu64 ")", interval_ms, metrics_ms, dur_us,
                    100.0 * (double) busy / (double) total, writes, 60000 / metrics_ms);
        cr_expect_lt(busy * 100 / total, 90, "busy %" PRIu64 "%%: no rest between passes", busy * 100 / total);
        cr_expect_leq(writes, 60000 / metrics_ms * 11 / 10 + 1, "%lu writes in 60 s", writes);
        cr_expect_geq(d.metrics_late, writes - 2, "files replaced late not counted: %" PRIu64, d.metrics_late);
}

Test(daemon_metrics, long_pass_rests) {
        metrics_rest(1000, 1000, 600000);
}

Test(daemon_metrics, third_pass_not_written_twice) {
        metrics_rest(1000, 1000, 350000);
}

/* The loop on a fake clock for 120 s: a pass that writes the metrics takes
 * metrics_us, any other plain_us. Returns busy (per mille) and writes; fails
 * when the loop spins (a next pass not after the end). */
static void metrics_run(uint64_t interval_ms, uint64_t metrics_ms, uint64_t plain_us, uint64_t metrics_us,
                        unsigned *busy_permille, unsigned *writes, uint64_t *min_rest_us) {
        uint64_t t = 0, busy = 0, rest_min = UINT64_MAX;
        unsigned n = 0, passes = 0;

        d.config->interval_ms = interval_ms;
        d.config->metrics_interval_ms = metrics_ms;
        while (t < 120000000) {
                daemon_pass(&d, t / 1000);
                bool wrote = d.metrics_wrote;
                uint64_t end = t + (wrote ? metrics_us : plain_us);
                uint64_t next = daemon_pass_done(&d, t, end);

                n += wrote;
                busy += end - t;
                cr_assert_gt(next, end, "pass %u: the next pass starts at its end (spin)", passes);
                if (next - end < rest_min)
                        rest_min = next - end;
                t = next;
                cr_assert_lt(++passes, 1000000, "passes without end");
        }
        *busy_permille = (unsigned) (busy * 1000 / t);
        *writes = n;
        *min_rest_us = rest_min;
}

/* Pathological pass durations, interval = metrics-interval = 1 s: 0, the
 * interval, ten times the interval, and long metrics passes between short
 * plain ones. The daemon rests, writes at most ~1.1x as asked, counts what
 * it cannot keep (review 12c L1: a plain pass that overran past the metrics'
 * due time was followed by the metrics pass 1 ms later). */
Test(daemon_metrics, pathological_durations_rest) {
        static const struct { uint64_t plain, metrics; } cases[] = {
                { 0, 0 }, { 1000000, 1000000 }, { 10000000, 10000000 }, { 5000, 900000 }, { 5000, 600000 },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                unsigned busy, writes;
                uint64_t rest;

                d.metrics_due_ms = 0;
                d.metrics_start_us = 0;
                d.metrics_late = 0;
                d.metrics_wrote = false;
                metrics_run(1000, 1000, cases[i].plain, cases[i].metrics, &busy, &writes, &rest);
                cr_log_info("plain %llu us, metrics %llu us: busy %u/1000, %u writes in 120 s, min rest %llu us, late %llu",
                            (unsigned long long) cases[i].plain, (unsigned long long) cases[i].metrics, busy, writes,
                            (unsigned long long) rest, (unsigned long long) d.metrics_late);
                /* 10 s passes, 1 s interval: an interval of rest after each
                 * (busy 10/11), not a millisecond after every other one. */
                cr_expect_leq(busy, 910, "case %zu: busy %u/1000", i, busy);
                cr_expect_leq(writes, 120 * 11 / 10 + 1, "case %zu: %u writes", i, writes);
                cr_expect_geq(rest, 1000, "case %zu: rest %llu us", i, (unsigned long long) rest);
        }
}

/* The clock as daemon_pass_done() sees it jumps back (end before start:
 * two clocks, or a caller's mistake): the pass took nothing, the metrics
 * are still written again, the next pass still comes (review 12c L2). */
Test(daemon_metrics, end_before_start_saturates) {
        uint64_t next;

        d.config->interval_ms = 1000;
        d.config->metrics_interval_ms = 1000;
        daemon_pass(&d, 10000);
        cr_assert(d.metrics_wrote);
        next = daemon_pass_done(&d, 10000000, 9999000);
        cr_expect_lt(next, 20000000, "next pass at %llu us", (unsigned long long) next);
        cr_expect_lt(d.metrics_due_ms, 20000, "metrics due at %llu ms: never written again",
                     (unsigned long long) d.metrics_due_ms);
}
