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
#include "dmabufctl/proc.h"
#include "dmabufctl/runpolicy.h"
#include "dmabufctl/size.h"
#include "dmabufctl/target.h"

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
        uint64_t start;
        size_t n = 0;
        int len, k;

        if (!cgroup || cgroup[0] != '/' || strpbrk(cgroup, "\n\r") || dmabuf_max == DBC_SIZE_MAX)
                return -EINVAL;
        k = dbc_process_start_time(NULL, getpid(), &start);
        if (k < 0)
                return k;
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
                       "# owner: pid=%d start=%" PRIu64 "\n"
                       "[policy:run-%s]\n"
                       "cgroup = %s\n"
                       "dmabuf.max = %" PRIu64 "\n",
                       (int) getpid(), (int) getpid(), start, safe, cgroup, dmabuf_max);
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

int dbc_runtime_policy_stale(const char *path, struct dbc_root *root, const char *proc_root) {
        _cleanup_free_ char *cgroup = NULL;
        _cleanup_close_ int fd = -1;
        char buf[4096];
        uint64_t pid = 0, start = 0;
        bool owner = false;
        int k;

        k = dbc_read_file_at(AT_FDCWD, path, buf, sizeof(buf));
        if (k < 0)
                return k;
        for (char *line = buf, *next; line && *line; line = next) {
                char *v;

                next = strchr(line, '\n');
                if (next)
                        *next++ = '\0';
                if (strneq(line, "# owner: pid=", 13)) {
                        v = strstr(line, " start=");
                        if (!v)
                                return -EINVAL;
                        *v = '\0';
                        if (dbc_parse_u64(line + 13, &pid) < 0 || pid == 0 || pid > INT32_MAX ||
                            dbc_parse_u64(v + 7, &start) < 0)
                                return -EINVAL;
                        owner = true;
                } else if (strneq(line, "cgroup = ", 9)) {
                        free(cgroup);
                        cgroup = strdup(line + 9);
                        if (!cgroup)
                                return -ENOMEM;
                }
        }
        if (!cgroup)
                return -EINVAL;
        if (owner) {
                k = dbc_process_alive(proc_root, (pid_t) pid, start);
                if (k != 0)
                        return k < 0 ? k : 0;
        }
        fd = dbc_cgroup_open(root, cgroup);
        if (fd == -ENOENT || fd == -ENOTDIR)
                return 1;
        if (fd < 0)
                return fd;
        k = dbc_cgroup_populated(fd);
        if (k == -ENOENT)
                k = dbc_cgroup_has_procs(fd);   /* no cgroup.events (a fixture): its own processes */
        return k < 0 ? k : !k;
}

int dbc_runtime_policies_prune(struct dbc_root *root, const char *proc_root,
                               void (*on_removed)(const char *path, void *userdata), void *userdata) {
        _cleanup_free_ char *dir = NULL;
        _cleanup_closedir_ DIR *d = NULL;
        struct dirent *de;
        int removed = 0, error = 0;

        if (asprintf(&dir, "%s/policies.d", dbc_runtime_dir()) < 0)
                return -ENOMEM;
        d = opendir(dir);
        if (!d)
                return errno == ENOENT ? 0 : -errno;
        while ((de = readdir(d))) {
                _cleanup_free_ char *path = NULL;
                size_t n = strlen(de->d_name);
                int k;

                if (!strneq(de->d_name, "run-", 4) || n < 5 || !streq(de->d_name + n - 5, ".conf"))
                        continue;
                if (asprintf(&path, "%s/%s", dir, de->d_name) < 0)
                        return -ENOMEM;
                k = dbc_runtime_policy_stale(path, root, proc_root);
                if (k > 0)
                        k = dbc_runtime_policy_remove(path);
                else if (k == 0)
                        continue;
                if (k < 0) {
                        if (!error && k != -EINVAL)
                                error = k;
                        continue;
                }
                removed++;
                if (on_removed)
                        on_removed(path, userdata);
        }
        return error ? error : removed;
}