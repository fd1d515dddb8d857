/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "dmabufctl/proc.h"

/* What dmabufd froze: one record per frozen cgroup in a state directory
 * ($DMABUFD_STATE_DIR, default /run/dmabufd: it survives a crash of the
 * daemon, not a reboot, as a freeze does), written before the freeze and
 * removed after the thaw, so that whatever dmabufd froze is thawed by it
 * (SIGTERM, a reload whose policy no longer asks for freeze) or by the next
 * dmabufd (at start, for records whose daemon is gone). A record names its
 * cgroup by id: a cgroup removed and created again under the same path is
 * not the one frozen, and is never thawed by mistake. */

#define DBC_FREEZE_STATE_DIR "/run/dmabufd"

/* $DMABUFD_STATE_DIR when set and not empty, else DBC_FREEZE_STATE_DIR. */
const char *dbc_freeze_state_dir(void);

struct dbc_freeze_record {
        uint64_t id;            /* cgroup id (inode of its directory) */
        char *path;             /* relative to the cgroup root */
        char *policy;
        pid_t pid;              /* the daemon that froze it */
        uint64_t start;         /* its start time (clock ticks since boot), against pid reuse */
};

void dbc_freeze_records_free(struct dbc_freeze_record *r, size_t n);

/* Write r as DIR/ID (temporary file + rename; DIR created 0700 if
 * missing). DIR must be a directory (not a symlink) owned by the effective
 * user and writable by nobody else: -EPERM otherwise. Returns 0 or a
 * negative errno. */
int dbc_freeze_record_write(const char *dir, const struct dbc_freeze_record *r);

/* Remove DIR/ID; gone already is no error. */
int dbc_freeze_record_remove(const char *dir, uint64_t id);

/* Every record of dir, in id order (none when dir does not exist; -EPERM
 * when it is not the daemon's own, as for dbc_freeze_record_write()).
 * A record whose path is not a cgroup below the root ("..", ".", empty
 * components) is malformed. Malformed files are skipped and counted in *ret_bad (may be NULL).
 * Returns 0 or a negative errno. */
int dbc_freeze_records_read(const char *dir, struct dbc_freeze_record **ret, size_t *ret_n, size_t *ret_bad);
