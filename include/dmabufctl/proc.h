/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdint.h>
#include <sys/types.h>

/* A process named by pid and start time, so that a record of it (a freeze
 * record, a runtime policy drop-in) does not outlive it through pid reuse. */

/* The start time of process pid in proc_root (NULL: /proc), field 22 of
 * /proc/PID/stat. Returns 0, -ESRCH when there is no such process, -EINVAL
 * for a malformed file. */
int dbc_process_start_time(const char *proc_root, pid_t pid, uint64_t *ret);

/* Is the process pid, started at start, still running? 1, 0, or a negative
 * errno. */
int dbc_process_alive(const char *proc_root, pid_t pid, uint64_t start);
