/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The alert hook as a transient unit (hookunit.c), against a stand-in for
 * systemd's manager on a private socketpair connection that records the
 * StartTransientUnit call (fake-bus.h) and then plays the unit's PropertiesChanged
 * signals. The real systemd 252 is tests/vm/systemd's 45-hook-unit. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <systemd/sd-bus.h>
#include <unistd.h>

#include "dmabufctl/alert.h"
#include "dmabufctl/macro.h"
#include "dmabufctl/unitprop.h"

#include "fake-bus.h"

/* What the stand-in was asked (written by the server thread before its
 * reply, read by the test after it). */
static struct {
        char name[256], mode[32];
        char props[512];                /* property names, comma-separated, in order */
        char type[32], kill_mode[32], collect[64], description[256];
        char exec_path[256], exec_argv[8][256];
        unsigned exec_n, exec_argc;
        int exec_ignore;
        char env[16][4300];
        unsigned env_n;
        uint64_t runtime_max;
        int32_t kill_signal;
        unsigned aux;
} seen;

static void emit(sd_bus *bus, const char *path, const char *iface, const char *state, const char *result,
                 int32_t code, int32_t status) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *s = NULL;

        cr_assert_geq(sd_bus_message_new_signal(bus, &s, path, "org.freedesktop.DBus.Properties",
                                                "PropertiesChanged"), 0);
        cr_assert_geq(sd_bus_message_append(s, "s", iface), 0);
        cr_assert_geq(sd_bus_message_open_container(s, 'a', "{sv}"), 0);
        if (state)
                cr_assert_geq(sd_bus_message_append(s, "{sv}", "ActiveState", "s", state), 0);
        if (result) {
                cr_assert_geq(sd_bus_message_append(s, "{sv}", "Result", "s", result), 0);
                cr_assert_geq(sd_bus_message_append(s, "{sv}", "ExecMainCode", "i", code), 0);
                cr_assert_geq(sd_bus_message_append(s, "{sv}", "ExecMainStatus", "i", status), 0);
                cr_assert_geq(sd_bus_message_append(s, "{sv}", "StatusText", "s", "skipped"), 0);
        }
        cr_assert_geq(sd_bus_message_close_container(s), 0);
        cr_assert_geq(sd_bus_message_append(s, "as", 0), 0);
        cr_assert_geq(sd_bus_send(bus, s, NULL), 0);
}

static void copy(char *dst, size_t n, const char *src) {
        snprintf(dst, n, "%s", src);
}

static int start_transient_unit(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        _cleanup_free_ char *path = NULL;
        const char *name, *mode, *p, *s;
        int k;

        memset(&seen, 0, sizeof(seen));
        cr_assert_geq(sd_bus_message_read(m, "ss", &name, &mode), 0);
        copy(seen.name, sizeof(seen.name), name);
        copy(seen.mode, sizeof(seen.mode), mode);
        cr_assert_geq(sd_bus_message_enter_container(m, 'a', "(sv)"), 0);
        while ((k = sd_bus_message_enter_container(m, 'r', "sv")) > 0) {
                cr_assert_geq(sd_bus_message_read(m, "s", &p), 0);
                if (seen.props[0])
                        strcat(seen.props, ",");
                strcat(seen.props, p);
                if (streq(p, "Type") || streq(p, "KillMode") || streq(p, "CollectMode") || streq(p, "Description")) {
                        cr_assert_geq(sd_bus_message_read(m, "v", "s", &s), 0);
                        copy(streq(p, "Type") ? seen.type : streq(p, "KillMode") ? seen.kill_mode :
                             streq(p, "CollectMode") ? seen.collect : seen.description, 64, s);
                } else if (streq(p, "RuntimeMaxUSec"))
                        cr_assert_geq(sd_bus_message_read(m, "v", "t", &seen.runtime_max), 0);
                else if (streq(p, "KillSignal"))
                        cr_assert_geq(sd_bus_message_read(m, "v", "i", &seen.kill_signal), 0);
                else if (streq(p, "Environment")) {
                        cr_assert_geq(sd_bus_message_enter_container(m, 'v', "as"), 0);
                        cr_assert_geq(sd_bus_message_enter_container(m, 'a', "s"), 0);
                        while (sd_bus_message_read(m, "s", &s) > 0)
                                copy(seen.env[seen.env_n++], sizeof(seen.env[0]), s);
                        cr_assert_geq(sd_bus_message_exit_container(m), 0);
                        cr_assert_geq(sd_bus_message_exit_container(m), 0);
                } else if (streq(p, "ExecStart")) {
                        cr_assert_geq(sd_bus_message_enter_container(m, 'v', "a(sasb)"), 0);
                        cr_assert_geq(sd_bus_message_enter_container(m, 'a', "(sasb)"), 0);
                        while (sd_bus_message_enter_container(m, 'r', "sasb") > 0) {
                                seen.exec_n++;
                                cr_assert_geq(sd_bus_message_read(m, "s", &s), 0);
                                copy(seen.exec_path, sizeof(seen.exec_path), s);
                                cr_assert_geq(sd_bus_message_enter_container(m, 'a', "s"), 0);
                                while (sd_bus_message_read(m, "s", &s) > 0)
                                        copy(seen.exec_argv[seen.exec_argc++], 256, s);
                                cr_assert_geq(sd_bus_message_exit_container(m), 0);
                                cr_assert_geq(sd_bus_message_read(m, "b", &seen.exec_ignore), 0);
                                cr_assert_geq(sd_bus_message_exit_container(m), 0);
                        }
                        cr_assert_geq(sd_bus_message_exit_container(m), 0);
                        cr_assert_geq(sd_bus_message_exit_container(m), 0);
                } else
                        cr_assert_geq(sd_bus_message_skip(m, "v"), 0);
                cr_assert_geq(sd_bus_message_exit_container(m), 0);
        }
        cr_assert_geq(sd_bus_message_exit_container(m), 0);
        cr_assert_geq(sd_bus_message_enter_container(m, 'a', "(sa(sv))"), 0);
        while (sd_bus_message_skip(m, "(sa(sv))") > 0)
                seen.aux++;

        if (strstr(name, "refuse"))
                return sd_bus_error_setf(error, "org.freedesktop.systemd1.UnitExists", "Unit %s was already loaded.",
                                         name);
        k = sd_bus_reply_method_return(m, "o", "/org/freedesktop/systemd1/job/42");
        if (k < 0)
                return k;
        /* The unit's life as systemd 252 tells it: inactive while the job
         * waits (no end yet), running, then the Service interface's
         * properties before the Unit one's final state. */
        cr_assert_geq(sd_bus_path_encode("/org/freedesktop/systemd1/unit", name, &path), 0);
        emit(sd_bus_message_get_bus(m), path, "org.freedesktop.systemd1.Unit", "inactive", NULL, 0, 0);
        emit(sd_bus_message_get_bus(m), path, "org.freedesktop.systemd1.Unit", "active", NULL, 0, 0);
        emit(sd_bus_message_get_bus(m), path, "org.freedesktop.systemd1.Service", NULL, "exit-code", CLD_EXITED, 3);
        emit(sd_bus_message_get_bus(m), path, "org.freedesktop.systemd1.Unit", "failed", NULL, 0, 0);
        return 1;
}

static const sd_bus_vtable manager_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_METHOD("StartTransientUnit", "ssa(sv)a(sa(sv))", "o", start_transient_unit, 0),
        SD_BUS_VTABLE_END,
};

static struct fake_bus bus;
#define client bus.client

static void add_objects(sd_bus *server) {
        /* As on the system bus: signals come from systemd's name, and the
         * client matches on it. */
        cr_assert_geq(sd_bus_set_sender(server, "org.freedesktop.systemd1"), 0);
        cr_assert_geq(sd_bus_add_object_vtable(server, NULL, "/org/freedesktop/systemd1",
                                               "org.freedesktop.systemd1.Manager", manager_vtable, NULL), 0);
}

static void setup(void) {
        fake_bus_start(&bus, add_objects);
}

static void teardown(void) {
        fake_bus_stop(&bus);
}

TestSuite(hook_unit, .init = setup, .fini = teardown, .timeout = 20);

static const struct dbc_alert alert = {
        .event = DBC_EVENT_OVER, .cgroup = "/apps.slice/cam $x.service", .policy = "cam", .target = "/apps.slice",
        .dmabuf = 70 << 20, .limit = 64 << 20, .action = "freeze", .message = "not in the environment",
};

static unsigned done_calls;

static void done(struct dbc_hook_unit *u, void *userdata) {
        done_calls++;
        *(bool *) userdata = true;
}

/* Drive the client until done() ran. */
static void run_until_done(struct dbc_hook_unit *u, bool *flag) {
        for (int i = 0; i < 2000 && !*flag; i++) {
                int k = sd_bus_process(client, NULL);
                cr_assert_geq(k, 0);
                if (k == 0)
                        cr_assert_geq(sd_bus_wait(client, 10000), 0);
        }
        cr_assert(*flag, "done() was not called");
}

static int make_hook(char *path, const char *body) {
        int fd = mkstemp(path);

        cr_assert_geq(fd, 0);
        cr_assert_eq(write(fd, body, strlen(body)), (ssize_t) strlen(body));
        cr_assert_eq(fchmod(fd, 0755), 0);
        return fd;
}

Test(hook_unit, properties_environment_exec_limit) {
        char path[] = "/tmp/dmabufctl-hook-XXXXXX";
        _cleanup_close_ int fd = make_hook(path, "#!/bin/sh\nexit 3\n");
        const struct dbc_hook hook = { .path = path, .fd = fd, .script = true };
        struct dbc_hook_unit u;
        struct stat checked, named;
        char want[64], moved[64];
        bool flag = false;

        done_calls = 0;
        cr_assert_eq(dbc_hook_unit_start(client, &u, "dmabufd-hook-over-7-1.service", &hook, &alert, 5000000,
                                         done, &flag), 0);
        cr_assert_geq(u.fd, 3);
        cr_assert_neq(u.fd, fd, "ExecStart names a dup of its own, not the configuration's fd");
        run_until_done(&u, &flag);

        cr_expect_str_eq(seen.name, "dmabufd-hook-over-7-1.service");
        cr_expect_str_eq(seen.mode, "fail");
        /* Exactly these, in this order: no sandboxing, no User=, nothing else. */
        cr_expect_str_eq(seen.props, "Description,Type,ExecStart,Environment,RuntimeMaxUSec,KillMode,KillSignal,"
                                     "CollectMode");
        cr_expect_str_eq(seen.type, "exec");
        cr_expect_str_eq(seen.kill_mode, "control-group");
        cr_expect_eq(seen.kill_signal, SIGKILL);
        cr_expect_str_eq(seen.collect, "inactive-or-failed");
        cr_expect_eq(seen.runtime_max, 5000000);
        cr_expect_eq(seen.aux, 0);

        /* ExecStart: our own fd through /proc/OUR_PID, argv[0] the configured path. */
        snprintf(want, sizeof(want), "/proc/%d/fd/%d", (int) getpid(), u.fd);
        cr_expect_eq(seen.exec_n, 1);
        cr_expect_str_eq(seen.exec_path, want);
        cr_expect_eq(seen.exec_argc, 1);
        cr_expect_str_eq(seen.exec_argv[0], path);
        cr_expect_eq(seen.exec_ignore, 0);
        /* It names the inode checked, even once the path names another file. */
        snprintf(moved, sizeof(moved), "%s.old", path);
        cr_assert_eq(rename(path, moved), 0);
        _cleanup_close_ int other = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0755);
        cr_assert_geq(other, 0);
        cr_assert_eq(fstat(fd, &checked), 0);
        cr_assert_eq(stat(want, &named), 0);
        cr_expect(checked.st_ino == named.st_ino && checked.st_dev == named.st_dev);

        /* The contract's DMABUFCTL_* values, exactly: no PATH, no MESSAGE. */
        const char *env[] = {
                "DMABUFCTL_EVENT=over", "DMABUFCTL_CGROUP=/apps.slice/cam $x.service", "DMABUFCTL_POLICY=cam",
                "DMABUFCTL_DMABUF_BYTES=73400320", "DMABUFCTL_LIMIT_BYTES=67108864", "DMABUFCTL_ACTION=freeze",
                "DMABUFCTL_TARGET=/apps.slice",
        };
        cr_expect_eq(seen.env_n, ELEMENTSOF(env));
        for (size_t i = 0; i < ELEMENTSOF(env) && i < seen.env_n; i++)
                cr_expect_str_eq(seen.env[i], env[i]);

        /* The end, once: not at the first "inactive" (the job still
         * waiting), but at "failed" after running, with the Service's. */
        cr_expect_eq(done_calls, 1);
        cr_expect_eq(u.error, 0);
        cr_expect_str_eq(u.result, "exit-code");
        cr_expect_eq(u.code, CLD_EXITED);
        cr_expect_eq(u.status, 3);

        dbc_hook_unit_release(&u);
        cr_expect_eq(u.fd, -1);
        unlink(path);
        unlink(moved);
}

Test(hook_unit, refused) {
        char path[] = "/tmp/dmabufctl-hook-XXXXXX";
        _cleanup_close_ int fd = make_hook(path, "\177ELF");
        const struct dbc_hook hook = { .path = path, .fd = fd };
        struct dbc_hook_unit u;
        bool flag = false;

        done_calls = 0;
        cr_assert_eq(dbc_hook_unit_start(client, &u, "dmabufd-hook-refuse-1-1.service", &hook, &alert, 1000,
                                         done, &flag), 0);
        run_until_done(&u, &flag);
        cr_expect_eq(done_calls, 1);
        cr_expect_lt(u.error, 0);
        cr_expect_str_eq(u.error_message, "Unit dmabufd-hook-refuse-1-1.service was already loaded.");
        cr_expect_eq(u.code, 0);
        dbc_hook_unit_release(&u);
        unlink(path);
}

Test(hook_unit, bad_input) {
        const struct dbc_hook closed = { .path = "/x", .fd = -1 };
        struct dbc_hook_unit u;
        bool flag = false;
        char huge[5000];

        cr_expect_eq(dbc_hook_unit_start(client, &u, "dmabufd-hook-x-1-1.service", &closed, &alert, 1, done, &flag),
                     -EBADF);
        cr_expect_eq(u.fd, -1);

        char path[] = "/tmp/dmabufctl-hook-XXXXXX";
        _cleanup_close_ int fd = make_hook(path, "\177ELF");
        const struct dbc_hook hook = { .path = path, .fd = fd };
        struct dbc_alert a = alert;
        memset(huge, 'a', sizeof(huge) - 1);
        huge[sizeof(huge) - 1] = '\0';
        a.cgroup = huge;
        cr_expect_eq(dbc_hook_unit_start(client, &u, "dmabufd-hook-x-1-2.service", &hook, &a, 1, done, &flag),
                     -ENAMETOOLONG);
        cr_expect_eq(u.fd, -1, "the dup is closed again");
        cr_expect_null(u.name);
        unlink(path);
}
