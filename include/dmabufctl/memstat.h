/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* memory.stat: only the keys we use. Unknown keys are ignored; keys may come
 * in any order. */
struct dbc_memstat {
        uint64_t anon;
        uint64_t file;
        uint64_t kernel;
        uint64_t dmabuf;
        bool has_dmabuf;        /* false: the kernel has no "dmabuf" key (unpatched) */
};

/* Parse the text of a memory.stat file (buf need not be NUL terminated).
 * Returns 0, or -EINVAL on a malformed line (a key without a decimal value,
 * a value out of 64-bit range). *ret is written only on success. */
int dbc_memstat_parse(const char *buf, size_t len, struct dbc_memstat *ret);

/* The value of one key of memory.stat text (the daemon's hot path: every
 * pass looks at "dmabuf" of every policed cgroup and nothing else, so it
 * finds that line instead of parsing all forty). Returns 0 and *ret,
 * -ENOENT when the key is absent, -EINVAL when its value is no 64-bit
 * decimal. */
int dbc_memstat_find(const char *buf, size_t len, const char *key, uint64_t *ret);

/* memory.events (or memory.events.local). */
struct dbc_memevents {
        uint64_t low;
        uint64_t high;
        uint64_t max;
        uint64_t oom;
        uint64_t oom_kill;
        uint64_t oom_group_kill;
};

int dbc_memevents_parse(const char *buf, size_t len, struct dbc_memevents *ret);

/* Read a whole small file at dirfd/path into a NUL-terminated buffer (pread
 * from offset 0 when path is NULL, so a kept-open cgroupfs fd can be re-read).
 * Returns the length, or a negative errno. */
int dbc_read_file_at(int dirfd, const char *path, char *buf, size_t size);

/* Write text (len bytes) to path so that a reader sees the whole file or
 * none: tmp (same directory) written, fsync()ed and renamed over path,
 * removed again on failure. Returns 0 or a negative errno. */
int dbc_write_file_atomic(const char *path, const char *tmp, const char *text, size_t len, mode_t mode);
