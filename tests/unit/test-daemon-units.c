/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* dmabufd's unit policies resolved after start (units.c): asked over a
 * stand-in for systemd's manager (fake-bus.h) without waiting, answered
 * through the loop; a systemd that never answers holds up no pass. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "tree-util.h"
#include "dmabufd.h"

#include "fake-bus.h"
#include "fake-manager.h"

#define UNIT "later.service"
#define UNIT_CGROUP "/system.slice/later.service"

static char tree[64];
static char conf[96];
static char state[96];
static struct daemon d;
static struct fake_bus bus;
#define MOVED_CGROUP "/apps.slice/later.service"
static const struct fake_unit units[] = {
        { UNIT, "/org/freedesktop/systemd1/unit/later_2eservice", "org.freedesktop.systemd1.Service", UNIT_CGROUP },
        { "b.service", "/org/freedesktop/systemd1/unit/b_2eservice", "org.freedesktop.systemd1.Service",
          "/system.slice/b.service" },
        { "c.service", "/org/freedesktop/systemd1/unit/c_2eservice", "org.freedesktop.systemd1.Service",
          "/system.slice/c.service" },
};
/* The same units after later.service moved to another slice (Slice=
 * changed, restarted). */
static const struct fake_unit moved_units[] = {
        { UNIT, "/org/freedesktop/systemd1/unit/later_2eservice", "org.freedesktop.systemd1.Service", MOVED_CGROUP },
};
static struct fake_manager manager = { .units = units, .n_units = ELEMENTSOF(units) };

static void add_objects(sd_bus *server) {
        fake_manager_add(server, &manager);
}

static void setup(void) {
        char cmd[512];
        FILE *f;

        strcpy(tree, "/tmp/dbc-units-XXXXXX");
        cr_assert_not_null(mkdtemp(tree));
        snprintf(cmd, sizeof(cmd), "'%s/tests/fixtures/make-daemon.sh' '%s'", SRCDIR, tree);
        cr_assert_eq(system(cmd), 0);
        snprintf(conf, sizeof(conf), "%s.conf", tree);
        f = fopen(conf, "we");
        cr_assert_not_null(f);
        fprintf(f, "[daemon]\ngrace = 2s\nmetrics-file = /dev/null/none\n\n"
                   "[policy:later]\nunit = " UNIT "\ndmabuf.max = 1M\naction = kill\n");
        fclose(f);
        snprintf(state, sizeof(state), "%s.state", tree);
        d = (struct daemon) { .inotify_fd = -1, .config_path = conf, .config_must_exist = true,
                              .proc_root = SRCDIR "/tests/fixtures/proc-daemon", .state_dir = state };
        cr_assert_eq(dbc_root_open(tree, &d.root), 0);
        d.self_cgroup = strdup("/system.slice/dmabufd.service");
        /* No systemd at load (this host has none): unresolved. */
        cr_assert_eq(daemon_load_config(&d, &d.config), 0);
        cr_assert_null(d.config->policies[0].resolved);
        cr_assert_eq(daemon_tree_init(&d), 0);
        cr_assert_eq(d.n_watches, 0);

        fake_bus_start(&bus, add_objects);
        d.bus = bus.client;
        cr_assert_geq(sd_event_new(&d.event), 0);
}

static void teardown(void) {
        char cmd[512];

        daemon_units_free(&d);
        daemon_tree_free(&d);
        sd_bus_detach_event(d.bus);
        fake_bus_stop(&bus);
        fake_manager_reset(&manager);
        d.event = sd_event_unref(d.event);
        dbc_config_free(d.config);
        free(d.self_cgroup);
        dbc_root_free(d.root);
        snprintf(cmd, sizeof(cmd), "rm -rf '%s' '%s' '%s'", tree, conf, state);
        cr_assert_eq(system(cmd), 0);
}

/* One timeout for every test (the longest waits about 20 s for a backoff):
 * criterion 2.4.1's runner leaks an entry when a test has a timeout of its
 * own, which fails the ASan run. */
TestSuite(daemon_units, .init = setup, .fini = teardown, .timeout = 60);

static double now_s(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

/* The unit's cgroup appears, as systemd makes it when the unit starts. */
static void unit_starts(void) {
        char p[256];

        snprintf(p, sizeof(p), "%s" UNIT_CGROUP, tree);
        cr_assert_eq(mkdir(p, 0755), 0);
        tree_put(tree, UNIT_CGROUP "/memory.stat", "dmabuf 4194304\n");
        tree_put(tree, UNIT_CGROUP "/memory.current", "4194304\n");
        tree_put(tree, UNIT_CGROUP "/cgroup.procs", "700\n");
        tree_put(tree, UNIT_CGROUP "/cgroup.kill", "");
}

Test(daemon_units, answered_through_the_loop) {
        double t0;

        unit_starts();
        t0 = now_s();
        cr_assert_eq(daemon_tree_process_inotify(&d, 10), 0);
        cr_assert_eq(d.n_watches, 0, "policed before systemd answered: the question was synchronous");
        while (d.n_watches == 0 && now_s() - t0 < 10)
                cr_assert_geq(sd_event_run(d.event, 100000), 0);
        cr_assert_eq(d.n_watches, 1, "not policed once systemd answered");
        cr_assert_str_eq(d.policed[0]->path, UNIT_CGROUP);
        cr_assert_str_eq(d.policed[0]->watch->policy->name, "later");
        cr_assert_str_eq(d.config->policies[0].resolved, UNIT_CGROUP);
}

Test(daemon_units, hung_systemd_holds_up_no_pass) {
        double t0;

        fake_manager_control(d.bus, "hang");
        unit_starts();
        t0 = now_s();
        cr_assert_eq(daemon_tree_process_inotify(&d, 10), 0);
        daemon_pass(&d, 100);
        for (int i = 0; i < 5; i++)
                cr_assert_geq(sd_event_run(d.event, 100000), 0);
        daemon_pass(&d, 1100);
        cr_assert_lt(now_s() - t0, 3.0, "a pass or an event waited for systemd");
        cr_assert_eq(d.n_watches, 0);
        cr_assert_null(d.config->policies[0].resolved);
        cr_assert_gt(fake_manager_control(d.bus, "count"), 0, "systemd was never asked");
}

/* The configuration file with extra policies after the unit's. */
static void write_conf(const char *more) {
        FILE *f = fopen(conf, "we");

        cr_assert_not_null(f);
        fprintf(f, "[daemon]\ngrace = 2s\nmetrics-file = /dev/null/none\n\n"
                   "[policy:later]\nunit = " UNIT "\ndmabuf.max = 1M\naction = kill\n%s", more);
        fclose(f);
}

static bool killed(const char *cg) {
        char rel[256];

        snprintf(rel, sizeof(rel), "%s/cgroup.kill", cg);
        return tree_get(tree, rel)[0] == '1';
}

/* SIGHUP's work (main.c): load, then make it the configuration in force. */
static void reload(void) {
        struct dbc_config *c = NULL;

        cr_assert_eq(daemon_load_config(&d, &c), 0);
        cr_assert_eq(daemon_tree_rematch(&d, c), 0);
}

/* A reload asks systemd for its units without waiting: with systemd hung
 * it returns at once, the unit resolved before stays policed (its grace
 * runs on), a new policy is in force, and the passes act. The bus call
 * timeout is cut to 5 s so that a reload that does wait fails quickly. */
Test(daemon_units, reload_with_hung_systemd) {
        double t0;

        cr_assert_geq(sd_bus_set_method_call_timeout(d.bus, 5000000), 0);
        unit_starts();
        cr_assert_eq(daemon_tree_process_inotify(&d, 10), 0);
        t0 = now_s();
        while (d.n_watches == 0 && now_s() - t0 < 10)
                cr_assert_geq(sd_event_run(d.event, 100000), 0);
        cr_assert_eq(d.n_watches, 1, "not policed once systemd answered");
        daemon_pass(&d, 1000);                          /* over: its grace ends at 3000 */
        cr_assert_eq(d.policed[0]->watch->state, DBC_STATE_OVER);

        fake_manager_control(d.bus, "hang");
        write_conf("\n[policy:camera]\ncgroup = /system.slice/camera-hal.service\ndmabuf.max = 1M\naction = kill\n");
        t0 = now_s();
        reload();
        cr_assert_lt(now_s() - t0, 1.0, "the reload waited %.1f s for systemd", now_s() - t0);
        cr_assert_eq(d.config->n_policies, 2, "the new configuration is not in force");
        cr_assert_str_eq(d.config->policies[0].resolved, UNIT_CGROUP, "the unit resolved before was dropped");
        cr_assert_eq(d.n_watches, 2);

        for (int i = 0; i < 5; i++)
                cr_assert_geq(sd_event_run(d.event, 10000), 0);
        daemon_pass(&d, 2000);                          /* camera-hal over: its grace ends at 4000 */
        daemon_pass(&d, 3000);
        cr_assert(killed(UNIT_CGROUP), "the unit's grace did not run on across the reload");
        daemon_pass(&d, 4000);
        cr_assert(killed("/system.slice/camera-hal.service"), "the new policy did not act");
        cr_assert_lt(now_s() - t0, 3.0, "a pass or an event waited for systemd");
        cr_assert_gt(fake_manager_control(d.bus, "count"), 0, "systemd was not asked again at the reload");
}

/* A unit policy new at a reload is in force once systemd answers, through
 * the loop; until then it is not policed. */
Test(daemon_units, reload_resolves_through_the_loop) {
        double t0;

        unit_starts();
        write_conf("");
        cr_assert_eq(daemon_tree_process_inotify(&d, 10), 0);
        /* Drop what the inotify event asked: the reload asks on its own. */
        reload();
        t0 = now_s();
        while (d.n_watches == 0 && now_s() - t0 < 10)
                cr_assert_geq(sd_event_run(d.event, 100000), 0);
        cr_assert_eq(d.n_watches, 1, "not policed once systemd answered the reload's question");
        cr_assert_str_eq(d.config->policies[0].resolved, UNIT_CGROUP);
        daemon_pass(&d, 1000);
        daemon_pass(&d, 3000);
        cr_assert(killed(UNIT_CGROUP));
}

/* A unit kept by a reload that systemd then says is not loaded any more is
 * dropped, as a reload that waited would have found it. */
Test(daemon_units, reload_drops_a_unit_gone) {
        double t0;

        unit_starts();
        cr_assert_eq(daemon_tree_process_inotify(&d, 10), 0);
        t0 = now_s();
        while (d.n_watches == 0 && now_s() - t0 < 10)
                cr_assert_geq(sd_event_run(d.event, 100000), 0);
        cr_assert_eq(d.n_watches, 1);

        manager.n_units = 0;                            /* NoSuchUnit */
        reload();
        cr_assert_str_eq(d.config->policies[0].resolved, UNIT_CGROUP, "not kept until systemd answers");
        cr_assert_eq(d.n_watches, 1);
        t0 = now_s();
        while (d.n_watches == 1 && now_s() - t0 < 10)
                cr_assert_geq(sd_event_run(d.event, 100000), 0);
        cr_assert_eq(d.n_watches, 0, "still policed after systemd said the unit is not loaded");
        cr_assert_null(d.config->policies[0].resolved);
}

/* The check-config rule for what only systemd can tell, on the loop's
 * answers too: a unit whose cgroup is another policy's stays unresolved
 * and the cgroup keeps that policy. */
Test(daemon_units, answer_claimed_by_a_cgroup_policy) {
        double t0;

        unit_starts();
        write_conf("\n[policy:path]\ncgroup = " UNIT_CGROUP "\ndmabuf.max = 1G\n");
        reload();
        t0 = now_s();
        while (d.config->policies[0].resolved == NULL && now_s() - t0 < 1)
                cr_assert_geq(sd_event_run(d.event, 100000), 0);
        cr_assert_null(d.config->policies[0].resolved, "resolved to a cgroup another policy names");
        cr_assert_eq(d.n_watches, 1);
        cr_assert_str_eq(d.policed[0]->watch->policy->name, "path");
}


/* Run the loop for seconds. */
static void run_loop(double seconds) {
        double t0 = now_s();

        while (now_s() - t0 < seconds)
                cr_assert_geq(sd_event_run(d.event, 50000), 0);
}

/* A cgroup directory (made anew when it was there) with pid in it, over
 * the policies' dmabuf.max. */
static void make_cgroup(const char *cg, const char *procs) {
        char cmd[512];

        snprintf(cmd, sizeof(cmd), "rm -rf '%s%s' && mkdir -p '%s%s'", tree, cg, tree, cg);
        cr_assert_eq(system(cmd), 0);
        tree_put(tree, (snprintf(cmd, sizeof(cmd), "%s/memory.stat", cg), cmd), "dmabuf 4194304\n");
        tree_put(tree, (snprintf(cmd, sizeof(cmd), "%s/memory.current", cg), cmd), "4194304\n");
        tree_put(tree, (snprintf(cmd, sizeof(cmd), "%s/cgroup.procs", cg), cmd), procs);
        tree_put(tree, (snprintf(cmd, sizeof(cmd), "%s/cgroup.kill", cg), cmd), "");
}

/* The policy policing cg, or NULL. */
static const char *policed_by(const char *cg) {
        for (size_t i = 0; i < d.n_watches; i++)
                if (strcmp(d.policed[i]->path, cg) == 0)
                        return d.policed[i]->watch->policy->name;
        return NULL;
}

/* The configuration file as text. */
static void write_conf_text(const char *text) {
        FILE *f = fopen(conf, "we");

        cr_assert_not_null(f);
        fputs(text, f);
        fclose(f);
}

/* later.service policed at UNIT_CGROUP, as systemd said. */
static void unit_policed(void) {
        unit_starts();
        cr_assert_eq(daemon_tree_process_inotify(&d, 10), 0);
        for (double t0 = now_s(); d.n_watches == 0 && now_s() - t0 < 10;)
                cr_assert_geq(sd_event_run(d.event, 100000), 0);
        cr_assert_str_eq(policed_by(UNIT_CGROUP), "later");
}

/* A kept cgroup systemd did not confirm at a reload (a hung systemd, the
 * call timed out) is asked for again, with a backoff, until systemd
 * answers: once it has recovered and says the unit moved, the unit's real
 * cgroup is policed, and a directory made later at the path the unit left
 * is not (the reviewer's reproducer, review 12b H1). */
Test(daemon_units, unconfirmed_cgroup_asked_again_until_answered) {
        unit_policed();

        /* systemd hangs; meanwhile the unit moves: X goes, Y appears. */
        fake_manager_control(d.bus, "hang");
        cr_assert_geq(sd_bus_set_method_call_timeout(d.bus, 1000000), 0);
        make_cgroup(MOVED_CGROUP, "700\n");
        {
                char cmd[256];

                snprintf(cmd, sizeof(cmd), "rm -rf '%s" UNIT_CGROUP "'", tree);
                cr_assert_eq(system(cmd), 0);
        }
        cr_assert_eq(daemon_tree_process_inotify(&d, 20), 0);
        reload();
        run_loop(2.5);                          /* the reload's question times out */
        cr_assert_str_eq(d.config->policies[0].resolved, UNIT_CGROUP);

        /* systemd answers again, and says the unit is at Y. */
        manager.units = moved_units;
        manager.n_units = ELEMENTSOF(moved_units);
        fake_manager_control(d.bus, "recover");
        for (int i = 0; i < 4; i++) {
                daemon_pass(&d, 30000 + 1000 * i);
                run_loop(1.0);
        }
        /* Someone (root, or whoever may write in the old slice) makes a
         * directory at the path the unit left. */
        make_cgroup(UNIT_CGROUP, "800\n");
        cr_assert_eq(daemon_tree_process_inotify(&d, 40000), 0);
        daemon_pass(&d, 40000);
        daemon_pass(&d, 43000);
        cr_expect(!killed(UNIT_CGROUP), "killed in the path the unit left, after systemd said it is at " MOVED_CGROUP);
        cr_expect_str_eq(d.config->policies[0].resolved, MOVED_CGROUP,
                         "systemd recovered but the unconfirmed cgroup was never asked for again");
        cr_expect(killed(MOVED_CGROUP), "the unit's real cgroup was never policed");
}

/* While systemd has not confirmed a kept cgroup, the directory policed
 * there stays policed (same cgroup id), but one made anew at the path (a
 * new cgroup id: the unit stopped, someone else made it) is not, until
 * systemd says it is the unit's. */
Test(daemon_units, new_directory_at_unconfirmed_path_not_policed) {
        unit_policed();
        fake_manager_control(d.bus, "hang");
        reload();
        cr_assert_str_eq(policed_by(UNIT_CGROUP), "later", "the same directory is no longer policed");
        daemon_pass(&d, 1000);                          /* over: its grace ends at 3000 */

        make_cgroup(UNIT_CGROUP, "800\n");              /* another directory, another cgroup id */
        cr_assert_eq(daemon_tree_process_inotify(&d, 1500), 0);
        cr_assert_null(policed_by(UNIT_CGROUP), "a new directory at a path systemd did not confirm is policed");
        for (uint64_t t = 2000; t <= 8000; t += 1000)
                daemon_pass(&d, t);
        run_loop(0.2);
        cr_assert_not(killed(UNIT_CGROUP), "killed a directory systemd never said is the unit's");

        /* systemd answers (late): the unit is there. */
        cr_assert_gt(fake_manager_control(d.bus, "answer"), 0);
        for (double t0 = now_s(); !policed_by(UNIT_CGROUP) && now_s() - t0 < 10;)
                cr_assert_geq(sd_event_run(d.event, 100000), 0);
        cr_assert_str_eq(policed_by(UNIT_CGROUP), "later", "not policed once systemd said it is the unit's");
        daemon_pass(&d, 9000);
        daemon_pass(&d, 11000);
        cr_assert(killed(UNIT_CGROUP));
}

/* The same, the new directory made between two passes, before inotify
 * tells: the pass that acts finds another cgroup id at the path and does
 * not act on it. */
Test(daemon_units, replaced_directory_not_acted_on) {
        unit_policed();
        fake_manager_control(d.bus, "hang");
        reload();
        daemon_pass(&d, 1000);                          /* over: its grace ends at 3000 */
        make_cgroup(UNIT_CGROUP, "800\n");
        daemon_pass(&d, 3500);
        cr_assert_not(killed(UNIT_CGROUP), "acted on a directory that replaced the one policed");
        cr_assert_eq(daemon_tree_process_inotify(&d, 3600), 0);
        cr_assert_null(policed_by(UNIT_CGROUP));
}

/* A unit policy new at a reload whose questions failed (timeouts) for
 * longer than the retry after its cgroup appeared (UNIT_RETRY_MS) is asked
 * again once systemd recovers, without its cgroup appearing again (review
 * 12b L1). */
Test(daemon_units, failed_question_asked_again) {
        static const char plain[] = "[daemon]\ngrace = 2s\nmetrics-file = /dev/null/none\n";

        write_conf_text(plain);
        reload();
        unit_starts();
        cr_assert_eq(daemon_tree_process_inotify(&d, 10), 0);
        cr_assert_eq(d.n_watches, 0);

        fake_manager_control(d.bus, "hang");
        cr_assert_geq(sd_bus_set_method_call_timeout(d.bus, 1000000), 0);
        write_conf("");
        reload();
        run_loop(UNIT_RETRY_MS / 1000.0 + 1.5);        /* timed out, again and again */
        cr_assert_null(d.config->policies[0].resolved);
        fake_manager_control(d.bus, "recover");
        for (double t0 = now_s(); !policed_by(UNIT_CGROUP) && now_s() - t0 < 20;)
                cr_assert_geq(sd_event_run(d.event, 100000), 0);
        cr_assert_str_eq(policed_by(UNIT_CGROUP), "later", "never asked again after the failed questions");
}

/* Answers that change several kept policies at once rescan the tree once,
 * not once per policy (review 12b M2). */
Test(daemon_units, answers_rescan_once) {
        unsigned before;

        write_conf("\n[policy:b]\nunit = b.service\ndmabuf.max = 1M\n\n[policy:c]\nunit = c.service\ndmabuf.max = 1M\n");
        reload();
        unit_starts();
        make_cgroup("/system.slice/b.service", "701\n");
        make_cgroup("/system.slice/c.service", "702\n");
        cr_assert_eq(daemon_tree_process_inotify(&d, 10), 0);
        for (double t0 = now_s(); d.n_watches < 3 && now_s() - t0 < 10;)
                cr_assert_geq(sd_event_run(d.event, 100000), 0);
        cr_assert_eq(d.n_watches, 3);

        fake_manager_control(d.bus, "hang");
        reload();
        cr_assert_eq(fake_manager_control(d.bus, "count"), 3);
        manager.n_units = 0;                            /* not loaded, all three */
        before = d.generation;
        cr_assert_eq(fake_manager_control(d.bus, "answer"), 3);
        for (double t0 = now_s(); d.n_watches > 0 && now_s() - t0 < 10;)
                cr_assert_geq(sd_event_run(d.event, 100000), 0);
        run_loop(0.2);
        cr_assert_eq(d.n_watches, 0);
        cr_assert_eq(d.generation - before, 1, "%u rescans for one batch of answers", d.generation - before);
}

/* A question in flight at a reload is carried over to the policy of the
 * same unit in the new configuration (another index, another name), not
 * sent again, and its late answer lands there (review 12b L2, L4). */
Test(daemon_units, late_answer_after_second_reload) {
        unit_policed();
        fake_manager_control(d.bus, "hang");
        write_conf_text("[daemon]\ngrace = 2s\nmetrics-file = /dev/null/none\n\n"
                        "[policy:b]\nunit = b.service\ndmabuf.max = 1M\n\n"
                        "[policy:later]\nunit = " UNIT "\ndmabuf.max = 1M\naction = kill\n");
        reload();
        cr_assert_eq(fake_manager_control(d.bus, "count"), 2);
        write_conf_text("[daemon]\ngrace = 2s\nmetrics-file = /dev/null/none\n\n"
                        "[policy:path]\ncgroup = /system.slice/other.service\ndmabuf.max = 1M\n\n"
                        "[policy:b]\nunit = b.service\ndmabuf.max = 1M\n\n"
                        "[policy:renamed]\nunit = " UNIT "\ndmabuf.max = 1M\naction = kill\n");
        reload();
        cr_assert_eq(fake_manager_control(d.bus, "count"), 2, "asked again at the second reload");
        cr_assert_str_eq(policed_by(UNIT_CGROUP), "renamed");

        /* systemd answers both, late: later.service moved. */
        make_cgroup(MOVED_CGROUP, "700\n");
        cr_assert_eq(daemon_tree_process_inotify(&d, 20), 0);
        manager.units = moved_units;
        manager.n_units = ELEMENTSOF(moved_units);
        cr_assert_eq(fake_manager_control(d.bus, "answer"), 2);
        for (double t0 = now_s(); !policed_by(MOVED_CGROUP) && now_s() - t0 < 10;)
                cr_assert_geq(sd_event_run(d.event, 100000), 0);
        run_loop(0.2);
        cr_assert_str_eq(d.config->policies[2].resolved, MOVED_CGROUP);
        cr_assert_null(d.config->policies[1].resolved, "b.service is not loaded");
        cr_assert_str_eq(policed_by(MOVED_CGROUP), "renamed");
        cr_assert_null(policed_by(UNIT_CGROUP));
}

/* Repeated SIGHUP with a hung systemd: each reload returns at once and
 * asks nothing again that is still in flight (the bus limits how many
 * calls may wait for an answer); nothing piles up (run under ASan). */
Test(daemon_units, many_reloads_hung_systemd) {
        double t0;

        write_conf("\n[policy:b]\nunit = b.service\ndmabuf.max = 1M\n\n[policy:c]\nunit = c.slice\ndmabuf.max = 1M\n");
        unit_policed();
        fake_manager_control(d.bus, "hang");
        t0 = now_s();
        for (int i = 0; i < 300; i++) {
                reload();
                cr_assert_geq(sd_event_run(d.event, 0), 0);
        }
        cr_assert_lt(now_s() - t0, 10.0);
        cr_assert_str_eq(d.config->policies[0].resolved, UNIT_CGROUP);
        cr_assert_eq(fake_manager_control(d.bus, "count"), 3, "questions sent again at each reload");
        cr_assert_eq(fake_manager_control(d.bus, "answer"), 3);
        run_loop(0.5);
        cr_assert_str_eq(d.config->policies[0].resolved, UNIT_CGROUP);
        cr_assert_str_eq(policed_by(UNIT_CGROUP), "later");
        cr_assert_str_eq(d.config->policies[2].resolved, "/c.slice");
}

#define CAM "/system.slice/camera-hal.service"

static const char cam_conf[] = "[daemon]\ngrace = 2s\nmetrics-file = /dev/null/none\n\n"
                               "[policy:cam]\ncgroup = " CAM "\ndmabuf.max = 1M\naction = kill\n";

struct swapper {
        char fifo[160];
        pid_t tid;              /* the test's (the daemon's) thread */
        bool swapped;
};

/* Waits (at most 10 s) until the daemon's thread blocks opening the FIFO
 * (a /proc/PID/status the never-act list reads while it chooses what to
 * kill), then replaces the directory at CAM by a new one (another cgroup
 * id: made before the old one goes) holding pid 900, then lets the open go
 * on (the read then fails, ESPIPE, and is skipped as a process gone). */
static void *swap_when_read(void *userdata) {
        struct swapper *s = userdata;
        char cmd[1024], wchan[64] = "";
        int fd;

        snprintf(cmd, sizeof(cmd), "/proc/self/task/%d/wchan", (int) s->tid);
        for (int i = 0; i < 2000; i++) {
                FILE *f = fopen(cmd, "re");

                wchan[0] = '\0';
                if (f) {
                        if (!fgets(wchan, sizeof(wchan), f))
                                wchan[0] = '\0';
                        fclose(f);
                }
                if (strcmp(wchan, "wait_for_partner") == 0)
                        break;
                usleep(5000);
        }
        if (strcmp(wchan, "wait_for_partner") != 0)
                return NULL;
        snprintf(cmd, sizeof(cmd),
                 "set -e; n='%s/system.slice/.new'; mkdir \"$n\"; echo 900 > \"$n/cgroup.procs\"; : > \"$n/cgroup.kill\"; "
                 "echo 'dmabuf 4194304' > \"$n/memory.stat\"; echo 4194304 > \"$n/memory.current\"; "
                 "printf 'populated 1\\nfrozen 0\\n' > \"$n/cgroup.events\"; "
                 "rm -rf '%s" CAM "'; mv \"$n\" '%s" CAM "'", tree, tree, tree);
        s->swapped = system(cmd) == 0;
        fd = open(s->fifo, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
        if (fd >= 0)
                close(fd);
        return NULL;
}

/* A directory made anew at the policed path while the pass chooses what to
 * kill (after the never-act list was read, before the path is opened to
 * act) is not killed: the cgroup id is checked on the directory acted
 * through, not on an earlier open (review 12c H1). The window is held open
 * with a FIFO as a /proc/PID/status that the never-act list reads. */
Test(daemon_units, replaced_while_choosing_not_acted_on) {
        char proc[96], cmd[512];
        struct swapper s = {};
        pthread_t t;
        uint64_t old_id;

        write_conf_text(cam_conf);
        reload();
        cr_assert_str_eq(policed_by(CAM), "cam");
        daemon_pass(&d, 1000);                          /* over: its grace ends at 3000 */
        cr_assert_eq(dbc_cgroup_id_of(d.root, CAM, &old_id), 0);

        snprintf(proc, sizeof(proc), "%s.proc", tree);
        snprintf(cmd, sizeof(cmd), "mkdir -p '%s/self' '%s/1' && cp '%s/tests/fixtures/proc-daemon/self/cgroup' '%s/self/' "
                 "&& mkfifo '%s/1/status'", proc, proc, SRCDIR, proc, proc);
        cr_assert_eq(system(cmd), 0);
        snprintf(s.fifo, sizeof(s.fifo), "%s/1/status", proc);
        d.proc_root = proc;
        s.tid = gettid();
        cr_assert_eq(pthread_create(&t, NULL, swap_when_read, &s), 0);
        daemon_pass(&d, 3500);
        pthread_join(t, NULL);
        d.proc_root = SRCDIR "/tests/fixtures/proc-daemon";
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", proc);
        (void) !system(cmd);

        cr_assert(s.swapped, "the directory was not replaced while the daemon chose (test did not run)");
        uint64_t new_id = 0;
        cr_assert_eq(dbc_cgroup_id_of(d.root, CAM, &new_id), 0);
        cr_assert_neq(new_id, old_id, "same id (ext4 inode reuse): test proves nothing");
        cr_expect_not(killed(CAM), "killed the directory made at the path after the id check (pid 900, cgroup id %llu, "
                      "policed was %llu)", (unsigned long long) new_id, (unsigned long long) old_id);
}

/* systemd answers, for a kept unit, a path with "..": an answer, not a
 * failed call. The kept path is no longer policed (nor killed in), as for
 * a unit not loaded (review 12c M1). */
static const struct fake_unit dotdot_units[] = {
        { UNIT, "/org/freedesktop/systemd1/unit/later_2eservice", "org.freedesktop.systemd1.Service",
          "/system.slice/../system.slice/other.service" },
};

Test(daemon_units, unusable_answer_unpolices_kept) {
        unit_policed();
        manager.units = dotdot_units;
        manager.n_units = ELEMENTSOF(dotdot_units);
        reload();
        run_loop(0.5);                                  /* answered */
        daemon_pass(&d, 1000);
        daemon_pass(&d, 3500);
        manager.units = units;
        manager.n_units = ELEMENTSOF(units);
        cr_expect_null(policed_by(UNIT_CGROUP), "still policed as %s after systemd named another cgroup",
                       policed_by(UNIT_CGROUP));
        cr_expect_not(killed(UNIT_CGROUP), "killed a cgroup systemd no longer says is the unit's");
}

/* systemd (or whatever answers for it) names another unit's cgroup: the
 * slice above the unit. Refused: the slice is not policed for the unit, and
 * its busiest child, a bystander service, is not killed (review 12c M2). */
static const struct fake_unit slice_units[] = {
        { UNIT, "/org/freedesktop/systemd1/unit/later_2eservice", "org.freedesktop.systemd1.Service", "/system.slice" },
};

Test(daemon_units, answer_not_the_units_cgroup_refused) {
        manager.units = slice_units;
        manager.n_units = ELEMENTSOF(slice_units);
        unit_starts();
        cr_assert_eq(daemon_tree_process_inotify(&d, 10), 0);
        run_loop(0.5);
        manager.units = units;
        manager.n_units = ELEMENTSOF(units);
        daemon_pass(&d, 1000);
        daemon_pass(&d, 3500);
        cr_expect_null(policed_by("/system.slice"), "policy later (unit " UNIT ") polices /system.slice");
        cr_expect_not(killed(CAM), "killed camera-hal.service, a bystander, for policy later");
}
