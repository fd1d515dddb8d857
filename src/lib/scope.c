/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Transient scopes for `dmabufctl run` (what `systemd-run --scope` does). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-bus.h>
#include <time.h>

#include "dmabufctl/macro.h"
#include "dmabufctl/size.h"
#include "dmabufctl/unitprop.h"

#include "sdbus-util.h"

struct job_wait {
        char *job;              /* our job's object path, once known */
        char *result;           /* its result, once removed */
};

static int on_job_removed(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        struct job_wait *w = userdata;
        const char *path, *unit, *result;
        uint32_t id;

        if (sd_bus_message_read(m, "uoss", &id, &path, &unit, &result) < 0)
                return 0;
        if (w->job && !w->result && streq(path, w->job))
                w->result = strdup(result);
        return 0;
}

static uint64_t now_usec(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000 + (uint64_t) ts.tv_nsec / 1000;
}

int dbc_transient_unit_new(sd_bus *bus, const char *name, sd_bus_message **ret) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        int r;

        r = sd_bus_message_new_method_call(bus, &m, DBC_SD_DEST, DBC_SD_PATH, DBC_SD_MANAGER, "StartTransientUnit");
        if (r < 0)
                return r;
        r = sd_bus_message_append(m, "ss", name, "fail");
        if (r < 0)
                return r;
        *ret = TAKE_PTR(m);
        return 0;
}

int dbc_transient_unit_end(sd_bus_message *m) {
        return sd_bus_message_append(m, "a(sa(sv))", 0);
}

static int append_properties(sd_bus_message *m, const char *slice, const char *description,
                             pid_t pid, uint64_t memory_max) {
        int r;

        r = sd_bus_message_open_container(m, 'a', "(sv)");
        if (r < 0)
                return r;
        r = sd_bus_message_append(m, "(sv)", "Description", "s", description);
        if (r >= 0 && slice)
                r = sd_bus_message_append(m, "(sv)", "Slice", "s", slice);
        if (r >= 0)
                r = sd_bus_message_append(m, "(sv)", "PIDs", "au", 1, (uint32_t) pid);
        if (r >= 0 && memory_max != DBC_SIZE_MAX)
                r = sd_bus_message_append(m, "(sv)", "MemoryMax", "t", memory_max);
        /* An OOM kill leaves the scope "failed": collect it anyway. */
        if (r >= 0)
                r = sd_bus_message_append(m, "(sv)", "CollectMode", "s", "inactive-or-failed");
        if (r < 0)
                return r;
        return sd_bus_message_close_container(m);
}

int dbc_scope_start(sd_bus *bus, const char *name, const char *slice, const char *description,
                    pid_t pid, uint64_t memory_max, unsigned timeout_ms, char **ret_error) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;
        _cleanup_(sd_bus_slot_unrefp) sd_bus_slot *slot = NULL;
        struct job_wait w = {};
        uint64_t deadline;
        const char *job;
        int r;

        /* Subscribe before asking, so the signal cannot slip past. */
        r = sd_bus_match_signal(bus, &slot, DBC_SD_DEST, DBC_SD_PATH, DBC_SD_MANAGER, "JobRemoved",
                                on_job_removed, &w);
        if (r < 0)
                return r;

        r = dbc_transient_unit_new(bus, name, &m);
        if (r < 0)
                return r;
        r = append_properties(m, slice, description, pid, memory_max);
        if (r < 0)
                return r;
        r = dbc_transient_unit_end(m);
        if (r < 0)
                return r;
        r = sd_bus_call(bus, m, (uint64_t) timeout_ms * 1000, &error, &reply);
        if (r < 0)
                return dbc_bus_error(&error, r, ret_error);
        r = sd_bus_message_read(reply, "o", &job);
        if (r < 0)
                return r;
        w.job = strdup(job);
        if (!w.job)
                return -ENOMEM;

        deadline = now_usec() + (uint64_t) timeout_ms * 1000;
        while (!w.result) {
                uint64_t t;

                r = sd_bus_process(bus, NULL);
                if (r < 0)
                        goto out;
                if (r > 0)
                        continue;
                t = now_usec();
                if (t >= deadline) {
                        r = -ETIMEDOUT;
                        goto out;
                }
                r = sd_bus_wait(bus, deadline - t);
                if (r < 0)
                        goto out;
        }
        if (streq(w.result, "done"))
                r = 0;
        else {
                if (ret_error && asprintf(ret_error, "the job starting %s ended \"%s\"", name, w.result) < 0)
                        *ret_error = NULL;
                r = -EIO;
        }
out:
        free(w.job);
        free(w.result);
        return r;
}

int dbc_scope_stop(sd_bus *bus, const char *name, char **ret_error) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        int r;

        r = sd_bus_call_method(bus, DBC_SD_DEST, DBC_SD_PATH, DBC_SD_MANAGER, "StopUnit", &error, NULL,
                               "ss", name, "replace");
        if (r >= 0)
                return 0;
        r = dbc_bus_error(&error, r, ret_error);
        return r == -ENXIO ? 0 : r;
}
