/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "dmabufctl/cgroup.h"

/* Who holds which dma-buf: a scan of every process of a procfs tree, from
 * /proc/PID/fdinfo/N and /proc/PID/maps (the way libdmabufinfo does it), so
 * it works without the kernel patches and without /sys/kernel/dmabuf. */

struct dbc_holder {
        size_t proc;            /* index into dbc_scan.procs */
        unsigned fds;           /* fds of that process referring to the buffer */
        unsigned maps;          /* lines of its maps mapping the buffer */
};

struct dbc_buffer {
        uint64_t inode;         /* the buffer's identity (fdinfo "ino:", else the fd's inode) */
        uint64_t size;          /* bytes; for a buffer seen only in maps: sysfs when present, else the largest mapping */
        const char *exporter;   /* exp_name (one copy per exporter, in strings); NULL when unknown
                                 * (seen only in maps, no sysfs) */
        char *name;             /* NULL when unnamed */
        bool has_charged;       /* the kernel printed charged_cgroup_id */
        uint64_t charged_cgroup_id;
        const char *charged_cgroup;     /* its path under the cgroup root; NULL when not found */
        struct dbc_holder *holders;     /* in pid order */
        size_t n_holders;
        size_t cap_holders;
};

struct dbc_proc {
        pid_t pid;
        char *comm;
        char *cgroup;           /* "0::" line of /proc/PID/cgroup; NULL when there is none */
        uint64_t rss;           /* sum of the sizes of the buffers it holds */
        uint64_t pss;           /* each buffer's size divided by its number of holder processes (rounded down) */
};

struct dbc_cgroup_use {
        const char *cgroup;     /* owned by the scan */
        uint64_t rss;           /* sizes of the distinct buffers its processes hold */
        uint64_t pss;           /* sum of its processes' pss */
        uint64_t charged;       /* sizes of the buffers the kernel charged to it */
};

struct dbc_scan {
        struct dbc_buffer *buffers;     /* inode order */
        size_t n_buffers;
        struct dbc_proc *procs;         /* pid order; only processes holding a buffer */
        size_t n_procs;
        struct dbc_cgroup_use *cgroups; /* path order; holders' cgroups and charged ones */
        size_t n_cgroups;

        unsigned n_scanned;     /* processes looked at */
        unsigned n_denied;      /* processes whose fdinfo or maps could not be read */
        int denied_errno;       /* why (EACCES, EPERM), positive */
        unsigned n_unresolved;  /* buffers whose charged_cgroup_id names no cgroup under the root */
        bool used_sysfs;        /* /sys/kernel/dmabuf/buffers filled in a buffer seen only in maps */
        unsigned n_malformed;   /* dma-buf fdinfo files that did not parse, skipped */
        char malformed_path[PATH_MAX];  /* the first of them */

        char **strings;         /* cgroup paths and exporter names, owned */
        size_t n_strings;
        size_t cap_strings;
};

struct dbc_scan_params {
        const char *proc_root;          /* "/proc" */
        const char *sysfs_root;         /* "/sys"; NULL: never look at sysfs */
        struct dbc_root *cgroup_root;   /* to resolve charged_cgroup_id; NULL: leave unresolved */
};

/* Where a scan failed, for the caller's message. */
struct dbc_scan_error {
        char path[PATH_MAX];
};

/* Scan every process of params->proc_root. Processes and fds that vanish
 * while we read are skipped; processes we may not read are counted in
 * n_denied. Charged cgroup ids are resolved by one walk of the cgroup tree
 * (an id is the inode of the cgroup's directory), done only when some buffer
 * is charged.
 * A malformed dma-buf fdinfo skips that buffer for that fd (counted in
 * n_malformed, the first in malformed_path).
 * Returns 0 and *ret; -EINVAL for a malformed maps line, with err->path
 * naming the file; -ENOENT/-EACCES/... when the proc
 * root itself cannot be read (err->path set too); -ENOMEM. */
int dbc_scan_run(const struct dbc_scan_params *params, struct dbc_scan **ret, struct dbc_scan_error *err);
void dbc_scan_free(struct dbc_scan *s);

/* Parse the text of /proc/PID/cgroup: the path of the "0::" (cgroup v2)
 * line, allocated. Returns 0, -ENOENT when there is no such line, -ENOMEM. */
int dbc_proc_cgroup_parse(const char *buf, size_t len, char **ret);
