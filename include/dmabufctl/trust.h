/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

/* dmabufd runs as root and executes the alert hook, so like sshd's
 * StrictModes it only trusts files that nobody else can change: owned by
 * root (or by owner, the daemon's own uid when it does not run as root), not
 * writable by group or others, and every directory from the root of the
 * walk ("/" for the daemon) down to them likewise. A directory writable by
 * others is accepted only with the sticky bit (/tmp), and then only because
 * what lies below it must be root's too: nobody else can rename it there.
 *
 * Paths are walked one component at a time with O_NOFOLLOW, so no symlink
 * anywhere is followed, and every check is made with fstat() on the fd that
 * was opened: the caller reads (or executes) that same fd, so renaming
 * anything afterwards changes nothing. */

struct dbc_trust {
        const char *root;       /* where the walk starts: "/" for dmabufd; a test tree in tests */
        uid_t owner;            /* besides root, who may own what is trusted */
};

/* Why something was refused: what (allocated) names the path, why says
 * "not owned by root", "writable by group or others", "a symbolic link". */
struct dbc_trust_refusal {
        char *what;
        const char *why;
};

void dbc_trust_refusal_done(struct dbc_trust_refusal *r);

/* Open directory path (relative paths are taken from the working
 * directory) through a trusted walk from t->root, O_RDONLY|O_DIRECTORY.
 * Returns the fd; -EPERM when something on the way is not trusted (*ret
 * filled); -EXDEV when path is not below t->root; -ENOENT, -EACCES ... */
int dbc_trust_open_dir(const struct dbc_trust *t, const char *path, struct dbc_trust_refusal *ret);

/* Open name, an entry of dirfd (from dbc_trust_open_dir(); dirpath is its
 * path, for messages), O_RDONLY|O_NOFOLLOW|O_NONBLOCK|O_NOCTTY, and check
 * it. Same returns. The caller checks the type of file it needs. */
int dbc_trust_open_at(const struct dbc_trust *t, int dirfd, const char *dirpath, const char *name,
                      struct dbc_trust_refusal *ret);

/* dbc_trust_open_dir() of its directory, then dbc_trust_open_at(). */
int dbc_trust_open(const struct dbc_trust *t, const char *path, struct dbc_trust_refusal *ret);
