/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dmabufctl/macro.h"
#include "dmabufctl/unit.h"

/* systemd's unit name rules (src/basic/unit-name.c), for the three types a
 * policy can name. */
#define UNIT_NAME_MAX 255
#define VALID_CHARS "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ:-_.\\"

const char *dbc_unit_suffix(const char *name) {
        static const char *const suffixes[] = { ".service", ".scope", ".slice" };
        size_t l = strlen(name);

        for (size_t i = 0; i < ELEMENTSOF(suffixes); i++) {
                size_t s = strlen(suffixes[i]);

                if (l > s && streq(name + l - s, suffixes[i]))
                        return name + l - s;
        }
        return NULL;
}

bool dbc_unit_name_is_valid(const char *name) {
        const char *suffix, *at;

        if (!name || strlen(name) > UNIT_NAME_MAX)
                return false;
        suffix = dbc_unit_suffix(name);
        if (!suffix)
                return false;
        at = strchr(name, '@');
        if (at) {
                /* An instance ("getty@tty1.service"); a template
                 * ("getty@.service") has no cgroup. Only services. */
                if (at == name || at + 1 == suffix || !streq(suffix, ".service"))
                        return false;
                for (const char *p = at + 1; p < suffix; p++)
                        if (*p != '@' && !strchr(VALID_CHARS, *p))
                                return false;
        } else
                at = suffix;
        for (const char *p = name; p < at; p++)
                if (!strchr(VALID_CHARS, *p))
                        return false;
        /* A slice's '-' separates the names of its parents. */
        if (streq(suffix, ".slice") && !streq(name, "-.slice") &&
            (name[0] == '-' || suffix[-1] == '-' || memmem(name, (size_t) (suffix - name), "--", 2)))
                return false;
        return true;
}

/* systemd's cg_escape(): a name that could clash with a kernel file of the
 * cgroup tree ("cgroup.procs", "memory.max", ...) gets a '_' prefix. */
static bool needs_escape(const char *p, size_t len) {
        static const char *const kernel[] = { "notify_on_release", "release_agent", "tasks" };
        static const char *const controllers[] = {
                "cpu", "cpuacct", "cpuset", "io", "blkio", "memory", "devices", "pids",
                "bpf-firewall", "bpf-devices", "bpf-foreign", "bpf-socket-bind",
                "bpf-restrict-network-interfaces",
        };
        const char *dot;

        if (len == 0 || p[0] == '_' || p[0] == '.' || (len >= 7 && strneq(p, "cgroup.", 7)))
                return true;
        for (size_t i = 0; i < ELEMENTSOF(kernel); i++)
                if (strlen(kernel[i]) == len && strneq(p, kernel[i], len))
                        return true;
        dot = memrchr(p, '.', len);
        if (dot)
                for (size_t i = 0; i < ELEMENTSOF(controllers); i++)
                        if (strlen(controllers[i]) == (size_t) (dot - p) && strneq(p, controllers[i], (size_t) (dot - p)))
                                return true;
        return false;
}

int dbc_slice_to_cgroup(const char *slice, char **ret) {
        size_t l, plen, n = 0;
        char *out, *o;

        if (!dbc_unit_name_is_valid(slice))
                return -EINVAL;
        l = strlen(slice);
        if (l <= 6 || !streq(slice + l - 6, ".slice"))
                return -EINVAL;
        plen = l - 6;

        if (plen == 1 && slice[0] == '-') {
                out = strdup("/");
                if (!out)
                        return -ENOMEM;
                *ret = out;
                return 0;
        }
        if (slice[0] == '-' || slice[plen - 1] == '-' || memmem(slice, plen, "--", 2))
                return -EINVAL;

        /* "a-b-c.slice" is /a.slice/a-b.slice/a-b-c.slice: one component per
         * '-', each the prefix up to it plus ".slice", each escaped. */
        for (size_t i = 0; i < plen; i++)
                if (slice[i] == '-')
                        n++;
        out = malloc((n + 1) * (plen + 8) + 1);
        if (!out)
                return -ENOMEM;
        o = out;
        for (size_t i = 0; i <= plen; i++) {
                if (i < plen && slice[i] != '-')
                        continue;
                char *c;

                *o++ = '/';
                c = o;
                memcpy(o, slice, i);
                o += i;
                memcpy(o, ".slice", 6);
                o += 6;
                if (needs_escape(c, i + 6)) {
                        memmove(c + 1, c, i + 6);
                        *c = '_';
                        o++;
                }
        }
        *o = '\0';
        *ret = out;
        return 0;
}
