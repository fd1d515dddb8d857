/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <glob.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "dmabufctl/macro.h"
#include "dmabufctl/trust.h"

static const char *untrusted(const struct stat *st, uid_t owner) {
        if (st->st_uid != 0 && st->st_uid != owner)
                return owner == 0 ? "not owned by root" : "not owned by root or the daemon's user";
        /* A sticky directory (/tmp) lets nobody replace another's file. */
        if ((st->st_mode & (S_IWGRP | S_IWOTH)) && !(S_ISDIR(st->st_mode) && (st->st_mode & S_ISVTX)))
                return "writable by group or others";
        return NULL;
}

static int check_one(const char *path, uid_t owner, char **ret_what, const char **ret_why) {
        struct stat st;
        const char *why;

        if (stat(path, &st) < 0)
                return -errno;
        why = untrusted(&st, owner);
        if (!why)
                return 0;
        char *s = strdup(path);
        if (!s)
                return -ENOMEM;
        *ret_what = s;
        *ret_why = why;
        return 1;
}

int dbc_trust_check(const char *path, uid_t owner, char **ret_what, const char **ret_why) {
        _cleanup_free_ char *copy = strdup(path);
        int k;

        if (!copy)
                return -ENOMEM;
        k = check_one(path, owner, ret_what, ret_why);
        if (k != 0)
                return k;
        /* Whoever can write the directory can replace the file. */
        return check_one(dirname(copy), owner, ret_what, ret_why);
}

/* DIR/policies.d and every DIR/policies.d/\*.conf, when the directory exists. */
static int check_dropins(const char *dir, uid_t owner, char **ret_what, const char **ret_why) {
        _cleanup_free_ char *dropins = NULL, *pattern = NULL;
        struct stat st;
        glob_t g = {};
        int k;

        if (asprintf(&dropins, "%s/policies.d", dir) < 0)
                return -ENOMEM;
        if (stat(dropins, &st) < 0)
                return errno == ENOENT ? 0 : -errno;
        k = check_one(dropins, owner, ret_what, ret_why);
        if (k != 0)
                return k;
        if (asprintf(&pattern, "%s/*.conf", dropins) < 0)
                return -ENOMEM;
        k = glob(pattern, GLOB_NOSORT, NULL, &g);
        if (k == GLOB_NOMATCH)
                return 0;
        if (k != 0) {
                globfree(&g);
                return -EIO;
        }
        for (size_t i = 0; i < g.gl_pathc; i++) {
                k = check_one(g.gl_pathv[i], owner, ret_what, ret_why);
                if (k != 0)
                        break;
        }
        globfree(&g);
        return k;
}

int dbc_trust_check_config(const char *config_path, const char *runtime_dir, const char *hook, uid_t owner,
                           char **ret_what, const char **ret_why) {
        _cleanup_free_ char *copy = strdup(config_path);
        int k;

        if (!copy)
                return -ENOMEM;
        k = dbc_trust_check(config_path, owner, ret_what, ret_why);
        if (k != 0 && k != -ENOENT)
                return k;
        k = check_dropins(dirname(copy), owner, ret_what, ret_why);
        if (k != 0)
                return k;
        if (runtime_dir) {
                k = check_dropins(runtime_dir, owner, ret_what, ret_why);
                if (k != 0)
                        return k;
        }
        if (hook)
                return dbc_trust_check(hook, owner, ret_what, ret_why);
        return 0;
}
