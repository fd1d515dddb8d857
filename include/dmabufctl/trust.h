/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <sys/types.h>

/* dmabufd runs as root and executes the alert hook, so like sshd's
 * StrictModes it only trusts files that nobody else can change: owned by
 * root (or by owner, the daemon's own uid when it does not run as root) and
 * not writable by group or others; the same for the directory holding
 * them. */

/* Check path and its directory. Returns 0 when trusted; 1 when not, with
 * *ret_what the offending path (allocated: the file or its directory) and
 * *ret_why ("not owned by root", "writable by group or others"); a negative
 * errno when it cannot be checked (-ENOENT ...). */
int dbc_trust_check(const char *path, uid_t owner, char **ret_what, const char **ret_why);

/* The configuration as the daemon loads it: the main file (when it exists),
 * the policies.d directory beside it and every policies.d/\*.conf, the same
 * below runtime_dir (NULL: none; normally dbc_runtime_dir()), and the hook
 * (NULL: none). Same return convention. */
int dbc_trust_check_config(const char *config_path, const char *runtime_dir, const char *hook, uid_t owner,
                           char **ret_what, const char **ret_why);
