/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The alert hook as a transient service under systemd (what `systemd-run`
 * does for a command), started and followed without blocking: the reply to
 * StartTransientUnit and the unit's PropertiesChanged signals arrive on the
 * caller's event loop.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-bus.h>
#include <unistd.h>

#include "dmabufctl/alert.h"
#include "dmabufctl/macro.h"
#include "dmabufctl/unitprop.h"

#include "sdbus-util.h"

int dbc_hook_unit_message(sd_bus *bus, const char *name, const struct dbc_hook *hook, int fd, pid_t self,
                          const struct dbc_alert *a, uint64_t limit_usec, sd_bus_message **ret) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        _cleanup_free_ char *description = NULL;
        struct dbc_hook_env env;
        char exec[64];
        int r;

        if (fd < 0 || !hook->path)
                return -EBADF;
        r = dbc_hook_env_fill(&env, a);
        if (r < 0)
                return r;
        /* dmabufd's own fd: the inode checked at load, not whatever the
         * path names by the time systemd forks. */
        (void) snprintf(exec, sizeof(exec), "/proc/%d/fd/%d", (int) self, fd);
        if (asprintf(&description, "dmabufd alert hook %s (%s)", hook->path, dbc_event_to_string(a->event)) < 0)
                return -ENOMEM;

        r = dbc_transient_unit_new(bus, name, &m);
        if (r < 0)
                return r;
        r = sd_bus_message_open_container(m, 'a', "(sv)");
        if (r < 0)
                return r;
        r = sd_bus_message_append(m, "(sv)", "Description", "s", description);
        if (r >= 0)
                r = sd_bus_message_append(m, "(sv)", "Type", "s", "exec");
        if (r >= 0)
                r = sd_bus_message_append(m, "(sv)", "ExecStart", "a(sasb)", 1, exec, 1, hook->path, 0);
        if (r >= 0)
                r = sd_bus_message_open_container(m, 'r', "sv");
        if (r >= 0)
                r = sd_bus_message_append(m, "s", "Environment");
        if (r >= 0)
                r = sd_bus_message_open_container(m, 'v', "as");
        if (r >= 0)
                /* The contract's DMABUFCTL_* values only: envp[0] is the
                 * fixed PATH of the fork path, systemd sets its own. */
                r = sd_bus_message_append_strv(m, env.envp + 1);
        if (r >= 0)
                r = sd_bus_message_close_container(m);
        if (r >= 0)
                r = sd_bus_message_close_container(m);
        if (r >= 0)
                r = sd_bus_message_append(m, "(sv)", "RuntimeMaxUSec", "t", limit_usec);
        /* At the limit: SIGKILL to everything in its cgroup, forked or
         * setsid'd alike, as cgroup.kill does without systemd. */
        if (r >= 0)
                r = sd_bus_message_append(m, "(sv)", "KillMode", "s", "control-group");
        if (r >= 0)
                r = sd_bus_message_append(m, "(sv)", "KillSignal", "i", (int32_t) SIGKILL);
        /* A hook that failed is not left behind as a failed unit. */
        if (r >= 0)
                r = sd_bus_message_append(m, "(sv)", "CollectMode", "s", "inactive-or-failed");
        if (r < 0)
                return r;
        r = sd_bus_message_close_container(m);
        if (r < 0)
                return r;
        r = dbc_transient_unit_end(m);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(m);
        return 0;
}

static void finish(struct dbc_hook_unit *u) {
        if (u->ended)
                return;
        u->ended = true;
        /* Last: done() may free u. */
        u->done(u, u->userdata);
}

static int on_started(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        struct dbc_hook_unit *u = userdata;
        const sd_bus_error *e = sd_bus_message_get_error(m);

        u->call = sd_bus_slot_unref(u->call);
        if (e) {
                u->error = dbc_bus_error(e, -EIO, &u->error_message);
                finish(u);
        }
        return 0;
}

static bool state_is_running(const char *s) {
        return streq(s, "activating") || streq(s, "active") || streq(s, "deactivating") || streq(s, "reloading");
}

static int on_changed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        struct dbc_hook_unit *u = userdata;
        const char *iface, *name, *state = NULL;
        int r;

        if (sd_bus_message_read(m, "s", &iface) < 0 || sd_bus_message_enter_container(m, 'a', "{sv}") < 0)
                return 0;
        while ((r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
                if (sd_bus_message_read(m, "s", &name) < 0)
                        return 0;
                if (streq(name, "ActiveState"))
                        r = sd_bus_message_read(m, "v", "s", &state);
                else if (streq(name, "Result")) {
                        const char *s;
                        r = sd_bus_message_read(m, "v", "s", &s);
                        if (r >= 0) {
                                char *c = strdup(s);
                                if (c) {
                                        free(u->result);
                                        u->result = c;
                                }
                        }
                } else if (streq(name, "ExecMainCode"))
                        r = sd_bus_message_read(m, "v", "i", &u->code);
                else if (streq(name, "ExecMainStatus"))
                        r = sd_bus_message_read(m, "v", "i", &u->status);
                else
                        r = sd_bus_message_skip(m, "v");
                if (r < 0 || sd_bus_message_exit_container(m) < 0)
                        return 0;
        }
        if (!state)
                return 0;
        if (state_is_running(state))
                u->seen_active = true;
        /* Before the start job ran the unit is inactive too: it has ended
         * when it ran (or has an exit or a result to show for it). */
        else if ((streq(state, "inactive") || streq(state, "failed")) &&
                 (u->seen_active || u->code != 0 || (u->result && !streq(u->result, "success"))))
                finish(u);
        return 0;
}

static int on_match_installed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        /* Not fatal for the connection: without the signal the daemon's own
         * timer ends the run. */
        return 0;
}

int dbc_hook_unit_start(sd_bus *bus, struct dbc_hook_unit *u, const char *name, const struct dbc_hook *hook,
                        const struct dbc_alert *a, uint64_t limit_usec, dbc_hook_unit_done_fn done,
                        void *userdata) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        _cleanup_free_ char *object = NULL;
        int r;

        *u = (struct dbc_hook_unit) { .fd = -1, .done = done, .userdata = userdata };
        if (hook->fd < 0)
                return -EBADF;
        /* Our own fd for this run: a reload closes the configuration's
         * while the unit may still be starting. */
        u->fd = fcntl(hook->fd, F_DUPFD_CLOEXEC, 3);
        if (u->fd < 0)
                return -errno;
        u->name = strdup(name);
        if (!u->name) {
                r = -ENOMEM;
                goto fail;
        }
        r = dbc_hook_unit_message(bus, name, hook, u->fd, getpid(), a, limit_usec, &m);
        if (r < 0)
                goto fail;
        r = sd_bus_path_encode("/org/freedesktop/systemd1/unit", name, &object);
        if (r < 0)
                goto fail;
        /* systemd sends unit signals only to subscribed clients; a second
         * Subscribe is refused, harmlessly. Then the match, then the call:
         * the bus keeps their order, so no change can slip past. */
        r = sd_bus_call_method_async(bus, NULL, DBC_SD_DEST, DBC_SD_PATH, DBC_SD_MANAGER, "Subscribe", NULL, NULL,
                                     NULL);
        if (r < 0)
                goto fail;
        r = sd_bus_match_signal_async(bus, &u->match, DBC_SD_DEST, object, "org.freedesktop.DBus.Properties",
                                      "PropertiesChanged", on_changed, on_match_installed, u);
        if (r < 0)
                goto fail;
        r = sd_bus_call_async(bus, &u->call, m, on_started, u, 0);
        if (r < 0)
                goto fail;
        return 0;
fail:
        dbc_hook_unit_release(u);
        return r;
}

int dbc_hook_unit_kill(sd_bus *bus, const struct dbc_hook_unit *u) {
        return sd_bus_call_method_async(bus, NULL, DBC_SD_DEST, DBC_SD_PATH, DBC_SD_MANAGER, "KillUnit", NULL, NULL,
                                        "ssi", u->name, "all", (int32_t) SIGKILL);
}

void dbc_hook_unit_release(struct dbc_hook_unit *u) {
        u->call = sd_bus_slot_unref(u->call);
        u->match = sd_bus_slot_unref(u->match);
        closep(&u->fd);
        u->fd = -1;
        free(u->name);
        free(u->error_message);
        free(u->result);
        u->name = u->error_message = u->result = NULL;
}
