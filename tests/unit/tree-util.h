/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Scratch directory trees (cgroupfs- or sysfs-shaped) for unit tests: one
 * set of helpers instead of a copy in every test file. Paths are relative
 * to the tree; a leading '/' is allowed. Failures fail the test. */

#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static inline void tree_path(char *p, size_t n, const char *tree, const char *rel) {
        snprintf(p, n, "%s/%s", tree, rel[0] == '/' ? rel + 1 : rel);
}

/* mkdir -p of every parent of rel. */
static inline void tree_parents(const char *tree, const char *rel) {
        char p[4096];

        tree_path(p, sizeof(p), tree, rel);
        for (char *s = strchr(p + strlen(tree) + 1, '/'); s; s = strchr(s + 1, '/')) {
                *s = '\0';
                cr_assert(mkdir(p, 0755) == 0 || errno == EEXIST, "mkdir %s: %s", p, strerror(errno));
                *s = '/';
        }
}

/* Write content to rel (creating its directories). */
static inline void tree_put(const char *tree, const char *rel, const char *content) {
        char p[4096];
        FILE *f;

        tree_parents(tree, rel);
        tree_path(p, sizeof(p), tree, rel);
        f = fopen(p, "we");
        cr_assert_not_null(f, "%s: %s", p, strerror(errno));
        fputs(content, f);
        cr_assert_eq(fclose(f), 0, "%s", p);
}

/* The content of rel, in a buffer reused by the next call; NULL when rel
 * does not exist. */
static inline char *tree_get_maybe(const char *tree, const char *rel) {
        static char buf[4096];
        char p[4096];
        FILE *f;
        size_t n;

        tree_path(p, sizeof(p), tree, rel);
        f = fopen(p, "re");
        if (!f && errno == ENOENT)
                return NULL;
        cr_assert_not_null(f, "%s: %s", p, strerror(errno));
        n = fread(buf, 1, sizeof(buf) - 1, f);
        buf[n] = '\0';
        fclose(f);
        return buf;
}

/* The same, failing the test when rel does not exist. */
static inline char *tree_get(const char *tree, const char *rel) {
        char *s = tree_get_maybe(tree, rel);

        cr_assert_not_null(s, "%s/%s does not exist", tree, rel);
        return s;
}

static inline void tree_mkdir(const char *tree, const char *rel) {
        char p[4096];

        tree_path(p, sizeof(p), tree, rel);
        cr_assert_eq(mkdir(p, 0755), 0, "mkdir %s: %s", p, strerror(errno));
}

/* A new empty tree: tree must hold 64 bytes. */
static inline void tree_new(char *tree, const char *tag) {
        snprintf(tree, 64, "/tmp/dbc-%s-XXXXXX", tag);
        cr_assert_not_null(mkdtemp(tree), "mkdtemp: %s", strerror(errno));
}

static inline void tree_remove(const char *tree) {
        char cmd[128];

        if (!tree[0])
                return;
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tree);
        cr_assert_eq(system(cmd), 0);
}
