/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Longest exporter or buffer name kept (the kernel's DMA_BUF_NAME_LEN is 32;
 * exporter names are module-chosen strings). Longer values are cut. */
#define DBC_DMABUF_NAME_MAX 64

/* What /proc/PID/fdinfo/N says about a dma-buf. A file is a dma-buf when its
 * fdinfo has an "exp_name:" line (as libdmabufinfo decides). */
struct dbc_fdinfo {
        uint64_t size;                  /* "size:" bytes */
        uint64_t count;                 /* "count:" file references */
        uint64_t ino;                   /* "ino:" (Linux >= 5.14) */
        bool has_ino;
        uint64_t charged_cgroup_id;     /* "charged_cgroup_id:" (patched kernels) */
        bool has_charged_cgroup_id;
        char exp_name[DBC_DMABUF_NAME_MAX];
        char name[DBC_DMABUF_NAME_MAX]; /* "name:"; empty when unnamed */
};

/* Parse the text of one fdinfo file (buf need not be NUL terminated).
 * Lines are "key:\tvalue"; unknown keys (pos, flags, mnt_id, vendor
 * additions) are ignored, so are lines without a colon. The first
 * occurrence of a key wins, and nothing after the "name:" line is read:
 * the name is user-set (DMA_BUF_SET_NAME) and may contain newlines, while
 * the kernel prints size, ino, exp_name and charged_cgroup_id before it.
 * Returns 1 and fills *ret for a dma-buf, 0 for any other file (*ret
 * untouched), -EINVAL when a dma-buf's size, count, ino or
 * charged_cgroup_id is no decimal 64-bit number, or it has no size. */
int dbc_fdinfo_parse(const char *buf, size_t len, struct dbc_fdinfo *ret);
