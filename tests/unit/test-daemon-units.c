/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* dmabufd's unit policies resolved after start (units.c): asked over a
 * stand-in for systemd's manager (fake-bus.h) without waiting, answered
 * through the loop; a systemd that never answers holds up no pass. */
#include <criterion/criterion.h>
#include <errno.h>
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
static const struct fake_unit units[] = {
        { UNIT, "/org/freedesktop/systemd1/unit/later_2eservice", "org.freedesktop.systemd1.Service", UNIT_CGROUP },
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

TestSuite(daemon_units, .init = setup, .fini = teardown, .timeout = 30);

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
