/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "dmabufctl/macro.h"
#include "dmabufctl/memstat.h"
#include "dmabufctl/policy.h"
#include "dmabufctl/protect.h"

/* The "0::/path" line of a /proc/PID/cgroup file. */
static int cgroup_file_path(const char *file, char **ret) {
        char buf[4096];
        int k;

        k = dbc_read_file_at(AT_FDCWD, file, buf, sizeof(buf));
        if (k < 0)
                return k;
        /* One line per hierarchy; cgroup2's is "0::/path". */
        for (char *line = buf, *next; line && *line; line = next) {
                next = strchr(line, '\n');
                if (next)
                        *next++ = '\0';
                if (!strneq(line, "0::", 3))
                        continue;
                if (line[3] != '/')
                        return -EINVAL;
                return dbc_cgroup_path_normalize(line + 3, ret);
        }
        return -ENOENT;
}

int dbc_self_cgroup(const char *proc_root, char **ret) {
        _cleanup_free_ char *file = NULL;

        if (asprintf(&file, "%s/self/cgroup", proc_root ? proc_root : "/proc") < 0)
                return -ENOMEM;
        return cgroup_file_path(file, ret);
}

/* The value of "Key:" in a /proc/PID/status file (in buf, modified). */
static char *status_field(char *buf, const char *key) {
        size_t n = strlen(key);

        for (char *line = buf, *next; line && *line; line = next) {
                next = strchr(line, '\n');
                if (next)
                        *next++ = '\0';
                if (strneq(line, key, n) && line[n] == ':')
                        return line + n + 1;
        }
        return NULL;
}

static int read_status(const char *proc_root, const char *pid, char *buf, size_t size) {
        _cleanup_free_ char *file = NULL;

        if (asprintf(&file, "%s/%s/status", proc_root ? proc_root : "/proc", pid) < 0)
                return -ENOMEM;
        return dbc_read_file_at(AT_FDCWD, file, buf, size);
}

int dbc_journal_cgroup(const char *proc_root, char **ret) {
        _cleanup_closedir_ DIR *dir = NULL;
        struct dirent *de;

        dir = opendir(proc_root ? proc_root : "/proc");
        if (!dir)
                return -errno;
        while ((de = readdir(dir))) {
                _cleanup_free_ char *file = NULL;
                char buf[4096], *uid;
                int k;

                if (!isdigit((unsigned char) de->d_name[0]))
                        continue;
                k = read_status(proc_root, de->d_name, buf, sizeof(buf));
                if (k < 0)
                        continue;       /* gone meanwhile */
                /* Name: comes first, Uid: later; status_field cuts lines. */
                char *copy = strdup(buf);
                if (!copy)
                        return -ENOMEM;
                char *name = status_field(copy, "Name");
                bool journal = name && streq(name + strspn(name, " \t"), "systemd-journal");
                free(copy);
                if (!journal)
                        continue;
                uid = status_field(buf, "Uid");
                if (!uid || strtoul(uid, NULL, 10) != 0)
                        continue;
                if (asprintf(&file, "%s/%s/cgroup", proc_root ? proc_root : "/proc", de->d_name) < 0)
                        return -ENOMEM;
                k = cgroup_file_path(file, ret);
                if (k != -ENOENT)
                        return k;
        }
        return -ESRCH;
}

static int id_at(int dirfd, const char *name, uint64_t *ret) {
        _cleanup_close_ int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);

        if (fd < 0)
                return -errno;
        return dbc_cgroup_id(fd, ret);
}

int dbc_never_act_init(struct dbc_never_act *na, struct dbc_root *r, const struct dbc_config *c,
                       const char *proc_root) {
        int k;

        *na = (struct dbc_never_act) { .config = c, .proc_root = proc_root };
        k = dbc_cgroup_id(r->fd, &na->root_id);
        if (k < 0)
                return k;
        k = id_at(r->fd, "init.scope", &na->init_scope_id);
        if (k < 0 && k != -ENOENT && k != -ENOTDIR)
                return k;
        return 0;
}

int dbc_never_act_hold(struct dbc_never_act *na, struct dbc_root *r, const char *path, const char *what) {
        uint64_t id;
        int k;

        k = dbc_cgroup_id_of(r, path, &id);
        if (k < 0)
                return k;
        if (id == na->root_id)
                return 0;
        if (na->n_held == DBC_NEVER_ACT_HELD_MAX)
                return -ENOSPC;
        na->held[na->n_held].id = id;
        na->held[na->n_held].what = what;
        na->n_held++;
        return 0;
}

/* Does the cgroup at dirfd hold the init process of a pid namespace? Its
 * pids are those of our own namespace; NSpid lists a process's pid in each
 * namespace from ours inwards, so a last entry of 1 is a namespace's init. */
static int holds_ns_init(const struct dbc_never_act *na, int dirfd) {
        _cleanup_close_ int fd = -1;
        _cleanup_fclose_ FILE *f = NULL;
        _cleanup_free_ char *line = NULL;
        size_t cap = 0;
        ssize_t n;

        fd = openat(dirfd, "cgroup.procs", O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return errno == ENOENT ? 0 : -errno;
        f = fdopen(fd, "re");
        if (!f)
                return -errno;
        fd = -1;
        while ((n = getline(&line, &cap, f)) > 0) {
                char buf[4096], *nspid, *last, *end;
                int k;

                line[strcspn(line, "\n")] = '\0';
                if (!*line || strspn(line, "0123456789") != strlen(line))
                        continue;
                k = read_status(na->proc_root, line, buf, sizeof(buf));
                if (k < 0)
                        continue;       /* exited meanwhile */
                nspid = status_field(buf, "NSpid");
                if (!nspid)
                        continue;       /* a kernel before 4.1: no namespaces told */
                end = nspid + strlen(nspid);
                while (end > nspid && (end[-1] == ' ' || end[-1] == '\t'))
                        *--end = '\0';
                last = strrchr(nspid, '\t');
                if (!last)
                        last = strrchr(nspid, ' ');
                last = last ? last + 1 : nspid;
                if (streq(last, "1"))
                        return 1;
        }
        return ferror(f) ? -EIO : 0;
}

static const char *held_reason(const struct dbc_never_act *na, uint64_t id) {
        for (size_t i = 0; i < na->n_held; i++)
                if (na->held[i].id == id)
                        return na->held[i].what;
        return NULL;
}

const char *dbc_never_act_reason(const struct dbc_never_act *na, int dirfd, const char *path) {
        const char *why;
        uint64_t id;

        if (dbc_cgroup_id(dirfd, &id) < 0)
                return "unreadable";    /* cannot tell: err on the side of protecting */
        if (id == na->root_id)
                return "root cgroup";
        if (na->init_scope_id && id == na->init_scope_id)
                return "init.scope";
        why = held_reason(na, id);
        if (why)
                return why;
        /* dbc_config_is_protected() covers what is below a glob too. */
        if (dbc_config_is_protected(na->config, path))
                return "protect list";
        if (holds_ns_init(na, dirfd) != 0)      /* an error protects too */
                return "init of a pid namespace";
        return NULL;
}

const char *dbc_never_act_below_held(const struct dbc_never_act *na, struct dbc_root *r, const char *path) {
        _cleanup_free_ char *copy = strdup(path);
        _cleanup_close_ int fd = -1;
        char *save = NULL;

        if (!copy)
                return "unreadable";
        fd = fcntl(r->fd, F_DUPFD_CLOEXEC, 3);
        if (fd < 0)
                return "unreadable";
        for (char *c = strtok_r(copy, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
                int next = openat(fd, c, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
                const char *why;
                uint64_t id;

                if (next < 0)
                        return NULL;    /* gone: nothing to act on anyway */
                close(fd);
                fd = next;
                if (dbc_cgroup_id(fd, &id) < 0)
                        return "unreadable";
                why = held_reason(na, id);
                if (why)
                        return why;
        }
        return NULL;
}

struct subtree {
        const struct dbc_never_act *na;
        char *path;
        const char *reason;
};

static int subtree_one(struct dbc_root *r, const char *path, int dirfd, void *userdata) {
        struct subtree *s = userdata;
        const char *why = dbc_never_act_reason(s->na, dirfd, path);

        if (!why)
                return 0;
        s->path = strdup(path);
        if (!s->path)
                return -ENOMEM;
        s->reason = why;
        return -ECANCELED;
}

/* A child that cannot be opened or listed hides what it holds: refuse. */
static void subtree_error(const char *path, int error, void *userdata) {
        struct subtree *s = userdata;

        if (s->path)
                return;
        s->path = strdup(path);
        s->reason = "unreadable";
}

int dbc_never_act_subtree(const struct dbc_never_act *na, struct dbc_root *r, int dirfd, const char *path,
                          char **ret_path, const char **ret_reason) {
        struct subtree s = { .na = na };
        int k;

        k = dbc_cgroup_walk_at(r, dirfd, path, subtree_one, subtree_error, &s);
        if (k == -ECANCELED || (k >= 0 && s.path)) {
                *ret_path = s.path;
                *ret_reason = s.reason;
                return 1;
        }
        free(s.path);
        return k < 0 ? k : 0;
}
