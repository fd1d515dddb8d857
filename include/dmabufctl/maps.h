/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* One mapping of a dma-buf in /proc/PID/maps: a line whose path starts with
 * "/dmabuf" ("/dmabuf:NAME", NAME possibly empty). The buffer is the inode. */
struct dbc_dmabuf_map {
        uint64_t start;
        uint64_t end;
        uint64_t inode;
        const char *name;       /* after "/dmabuf:", not NUL terminated; NULL if none */
        size_t name_len;
};

/* Called for each dma-buf mapping; a negative return stops the parse and is
 * returned by dbc_maps_parse(). */
typedef int (*dbc_maps_fn)(const struct dbc_dmabuf_map *m, void *userdata);

/* Parse the text of a maps file (buf need not be NUL terminated; a last line
 * without newline counts). Lines of other mappings are skipped without
 * looking past their fixed fields. Returns 0, -EINVAL on a line that is not
 * "START-END PERMS OFFSET DEV INODE [PATH]", or what fn returned. */
int dbc_maps_parse(const char *buf, size_t len, dbc_maps_fn fn, void *userdata);
