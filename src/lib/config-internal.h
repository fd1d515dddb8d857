/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Shared between config.c (loading files, checks across them) and
 * config-parse.c (one file through inih). Not installed, not a contract. */

#include <stdio.h>

#include "dmabufctl/config.h"
#include "dmabufctl/macro.h"
#include "dmabufctl/trust.h"

/* Where a key was set: file is one of state->files (owned there). */
struct loc {
        const char *file;
        unsigned file_index;    /* load order of the file, for sorting */
        unsigned line;
};

enum {
        PKEY_CGROUP,
        PKEY_UNIT,
        PKEY_MEMORY_MAX,
        PKEY_MEMORY_HIGH,
        PKEY_DMABUF_WARN,
        PKEY_DMABUF_MAX,
        PKEY_ACTION,
        _PKEY_MAX,
};

/* Parallel to config->policies: where each thing came from. */
struct policy_src {
        struct loc section;     /* first [policy:NAME] */
        struct loc key[_PKEY_MAX];
        bool target_tried;      /* a cgroup or unit key was there (maybe invalid) */
};

struct config_state {
        struct dbc_config *config;
        struct dbc_diags *diags;
        struct policy_src *src;
        size_t n_alloc;         /* of config->policies and src */
        char **files;           /* every file tried, in order (for sorting diags) */
        size_t n_files;
        const struct dbc_trust *trust;  /* NULL: plain opens, symlinks followed */
};

/* Append path to s->files; *ret_index is its place. 0 or -ENOMEM. */
int config_add_file(struct config_state *s, const char *path, unsigned *ret_index);

/* Read the files src names (config-files.c), each parsed into s; problems
 * go to s->diags. Returns 0 or -ENOMEM. */
int config_read_files(struct config_state *s, const struct dbc_config_source *src);

/* With s->trust: open and check the alert hook into config->hook_fd.
 * Problems go to s->diags. Returns 0 or -ENOMEM. */
int config_open_hook(struct config_state *s);

int diag_add(struct dbc_diags *d, const char *file, unsigned line, const char *fmt, ...) _printf_(4, 5);

/* Sort diags by load order of their file (files[]) and line, stably. */
void diag_sort(struct dbc_diags *d, char *const *files, size_t n_files);

/* Find or append [policy:name]; *ret is its index. Returns 0 or -ENOMEM. */
int config_policy_get(struct config_state *s, const char *name, const struct loc *at, size_t *ret);

/* Parse one open file into s. Problems go to s->diags; returns 0, or
 * -ENOMEM. */
int config_parse_file(struct config_state *s, FILE *f, const char *file, unsigned file_index);

/* "Permission denied (EACCES)". Static storage. */
const char *errno_describe(int error, char buf[static 96]);
