/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dmabufctl/macro.h"
#include "dmabufctl/trust.h"

void dbc_trust_refusal_done(struct dbc_trust_refusal *r) {
        if (!r)
                return;
        free(r->what);
        r->what = NULL;
        r->why = NULL;
}

static const char *untrusted(const struct stat *st, uid_t owner) {
        if (st->st_uid != 0 && st->st_uid != owner)
                return owner == 0 ? "not owned by root" : "not owned by root or the daemon's user";
        /* A sticky directory (/tmp) lets nobody rename another's entry; the
         * entry below it must pass the owner test above in turn. */
        if ((st->st_mode & (S_IWGRP | S_IWOTH)) && !(S_ISDIR(st->st_mode) && (st->st_mode & S_ISVTX)))
                return "writable by group or others";
        return NULL;
}

static int refuse(struct dbc_trust_refusal *ret, const char *what, size_t len, const char *why) {
        ret->what = strndup(what, len);
        ret->why = why;
        return ret->what ? -EPERM : -ENOMEM;
}

/* Open one entry of dirfd without following a symlink, and judge it.
 * shown[0..len) names it in a refusal. */
static int open_checked(const struct dbc_trust *t, int dirfd, const char *name, int flags,
                        const char *shown, size_t len, struct dbc_trust_refusal *ret) {
        _cleanup_close_ int fd = openat(dirfd, name, flags | O_NOFOLLOW | O_CLOEXEC);
        struct stat st;
        const char *why;

        if (fd < 0) {
                int e = errno;

                /* O_NOFOLLOW says ELOOP on a final symlink; with O_DIRECTORY
                 * it may say ENOTDIR first. */
                if ((e == ELOOP || e == ENOTDIR) && fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
                    S_ISLNK(st.st_mode))
                        return refuse(ret, shown, len, "a symbolic link");
                return -e;
        }
        if (fstat(fd, &st) < 0)
                return -errno;
        why = untrusted(&st, t->owner);
        if (why)
                return refuse(ret, shown, len, why);
        return TAKE_FD(fd);
}

#define DIR_FLAGS (O_RDONLY | O_DIRECTORY)

int dbc_trust_open_dir(const struct dbc_trust *t, const char *path, struct dbc_trust_refusal *ret) {
        _cleanup_free_ char *abs = NULL;
        _cleanup_close_ int fd = -1;
        size_t rootlen = strlen(t->root);
        char *p, *slash;

        if (path[0] == '/')
                abs = strdup(path);
        else {
                _cleanup_free_ char *cwd = getcwd(NULL, 0);

                if (!cwd)
                        return -errno;
                if (asprintf(&abs, "%s/%s", cwd, path) < 0)
                        abs = NULL;
        }
        if (!abs)
                return -ENOMEM;
        while (rootlen > 1 && t->root[rootlen - 1] == '/')
                rootlen--;
        if (strncmp(abs, t->root, rootlen) != 0 || (rootlen > 1 && abs[rootlen] && abs[rootlen] != '/'))
                return -EXDEV;

        /* The root of the walk itself is judged too ("/" must be root's). */
        fd = open_checked(t, AT_FDCWD, t->root, DIR_FLAGS, t->root, rootlen, ret);
        if (fd < 0)
                return fd;
        for (p = abs + rootlen; *p; p = slash) {
                size_t n;
                int next;

                while (*p == '/')
                        p++;
                if (!*p)
                        break;
                n = strcspn(p, "/");
                slash = p + n;
                if ((n == 1 && p[0] == '.'))
                        continue;
                if (n == 2 && p[0] == '.' && p[1] == '.')
                        return refuse(ret, abs, (size_t) (slash - abs), "a path with \"..\"");
                {
                        char c = *slash;

                        *slash = '\0';
                        next = open_checked(t, fd, p, DIR_FLAGS, abs, (size_t) (slash - abs), ret);
                        *slash = c;
                }
                if (next < 0)
                        return next;
                close(fd);
                fd = next;
        }
        return TAKE_FD(fd);
}

int dbc_trust_open_at(const struct dbc_trust *t, int dirfd, const char *dirpath, const char *name,
                      struct dbc_trust_refusal *ret) {
        _cleanup_free_ char *shown = NULL;

        if (asprintf(&shown, "%s%s%s", dirpath, *dirpath && dirpath[strlen(dirpath) - 1] != '/' ? "/" : "",
                     name) < 0)
                return -ENOMEM;
        return open_checked(t, dirfd, name, O_RDONLY | O_NONBLOCK | O_NOCTTY, shown, strlen(shown), ret);
}

int dbc_trust_open(const struct dbc_trust *t, const char *path, struct dbc_trust_refusal *ret) {
        const char *slash = strrchr(path, '/');
        _cleanup_free_ char *dir = NULL;
        _cleanup_close_ int dfd = -1;

        if (slash && !slash[1])
                return -EISDIR;
        dir = slash ? strndup(path, slash == path ? 1 : (size_t) (slash - path)) : strdup(".");
        if (!dir)
                return -ENOMEM;
        dfd = dbc_trust_open_dir(t, dir, ret);
        if (dfd < 0)
                return dfd;
        /* Name it as the caller did. */
        if (!slash)
                return open_checked(t, dfd, path, O_RDONLY | O_NONBLOCK | O_NOCTTY, path, strlen(path), ret);
        return dbc_trust_open_at(t, dfd, dir, slash + 1, ret);
}
