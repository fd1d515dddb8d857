/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dmabufctl/macro.h"
#include "dmabufctl/memstat.h"
#include "dmabufctl/runpolicy.h"
#include "dmabufctl/size.h"

/* config-parse.c accepts 1 to 64 of [A-Za-z0-9-_.@]; "run-" takes 4. */
#define RUN_NAME_MAX 60

const char *dbc_runtime_dir(void) {
        const char *e = getenv("DMABUFCTL_RUNTIME_DIR");

        return e && *e ? e : DBC_RUNTIME_DIR;
}

static int mkdir_p(const char *path, mode_t mode) {
        _cleanup_free_ char *p = strdup(path);

        if (!p)
                return -ENOMEM;
        for (char *s = p + 1; *s; s++) {
                if (*s != '/')
                        continue;
                *s = '\0';
                if (mkdir(p, mode) < 0 && errno != EEXIST)
                        return -errno;
                *s = '/';
        }
        if (mkdir(p, mode) < 0 && errno != EEXIST)
                return -errno;
        return 0;
}

int dbc_runtime_policy_write(const char *name, const char *cgroup, uint64_t dmabuf_max, char **ret_path) {
        _cleanup_free_ char *dir = NULL, *path = NULL, *tmp = NULL, *text = NULL;
        char safe[RUN_NAME_MAX + 1];
        size_t n = 0;
        int len, k;

        if (!cgroup || cgroup[0] != '/' || strpbrk(cgroup, "\n\r") || dmabuf_max == DBC_SIZE_MAX)
                return -EINVAL;
        for (const char *s = name; *s && n < RUN_NAME_MAX; s++)
                safe[n++] = isalnum((unsigned char) *s) || strchr("-_.@", *s) ? *s : '_';
        safe[n] = '\0';
        if (n == 0)
                return -EINVAL;

        if (asprintf(&dir, "%s/policies.d", dbc_runtime_dir()) < 0 ||
            asprintf(&path, "%s/run-%s.conf", dir, safe) < 0 ||
            asprintf(&tmp, "%s/.run-%s.conf.tmp", dir, safe) < 0)
                return -ENOMEM;
        len = asprintf(&text,
                       "# Written by dmabufctl run (pid %d); removed when its command exits.\n"
                       "[policy:run-%s]\n"
                       "cgroup = %s\n"
                       "dmabuf.max = %" PRIu64 "\n",
                       (int) getpid(), safe, cgroup, dmabuf_max);
        if (len < 0)
                return -ENOMEM;
        k = mkdir_p(dir, 0755);
        if (k < 0)
                return k;

        k = dbc_write_file_atomic(path, tmp, text, (size_t) len, 0644);
        if (k < 0)
                return k;
        *ret_path = TAKE_PTR(path);
        return 0;
}

int dbc_runtime_policy_remove(const char *path) {
        if (unlink(path) < 0 && errno != ENOENT)
                return -errno;
        return 0;
}
