/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Freezes recorded under the state directory, and thawed again: on SIGTERM,
 * on a reload whose policy no longer asks for freeze, and at start for the
 * records of a daemon that died. */
#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <unistd.h>

#include "dmabufctl/actions.h"
#include "dmabufctl/escape.h"
#include "dmabufctl/freezerec.h"
#include "dmabufd.h"

int daemon_freeze(struct daemon *d, struct node *n, const struct dbc_target *t) {
        const struct dbc_policy *p = n->watch->policy;
        struct dbc_freeze_record rec = {
                .id = t->id, .path = t->path, .policy = (char *) p->name, .pid = getpid(), .start = d->self_start,
        };
        int k;

        /* Recorded first: a crash right after the freeze still leaves the
         * record for the next dmabufd to thaw. */
        k = dbc_freeze_record_write(d->state_dir, &rec);
        if (k < 0) {
                log_err(d, "%s (policy %s): not freezing %s: cannot record the freeze in %s: %s", n->path, p->name,
                        t->path, d->state_dir,
                        k == -EPERM ? "not a directory of this user that only it may write" : strerror(-k));
                return -ECANCELED;
        }
        k = dbc_cgroup_freeze(t->fd, FREEZE_CONFIRM_MS);
        if (k == -ETIMEDOUT) {
                /* Half frozen helps nobody: back out. */
                (void) dbc_cgroup_thaw(t->fd);
                (void) dbc_freeze_record_remove(d->state_dir, t->id);
                log_err(d, "%s (policy %s): freezing %s was not confirmed within %ums (cgroup.events): thawed it again",
                        n->path, p->name, t->path, FREEZE_CONFIRM_MS);
                return -ECANCELED;
        }
        if (k < 0)
                (void) dbc_freeze_record_remove(d->state_dir, t->id);
        return k;
}

/* Thaw the cgroup of rec if it is still the one frozen (same id), and drop
 * the record. */
static void thaw_record(struct daemon *d, const struct dbc_freeze_record *rec, const char *why) {
        _cleanup_close_ int fd = dbc_cgroup_open(d->root, rec->path);
        uint64_t id = 0;
        int k;

        if (fd >= 0 && dbc_cgroup_id(fd, &id) == 0 && id == rec->id) {
                k = dbc_cgroup_thaw(fd);
                if (k < 0) {
                        log_err(d, "%s (policy %s): cannot thaw it (%s): %s; the record stays in %s", rec->path,
                                rec->policy, why, strerror(-k), d->state_dir);
                        return;
                }
                log_info(d, "%s (policy %s): thawed (%s)", rec->path, rec->policy, why);
        } else if (fd >= 0 || fd == -ENOENT)
                log_info(d, "%s (policy %s): frozen by dmabufd pid %d, but %s: nothing to thaw", rec->path,
                         rec->policy, (int) rec->pid, fd >= 0 ? "it is another cgroup now (its id changed)" : "it is gone");
        else {
                log_err(d, "%s (policy %s): cannot open it to thaw (%s): %s; the record stays in %s", rec->path,
                        rec->policy, why, strerror(-fd), d->state_dir);
                return;
        }
        k = dbc_freeze_record_remove(d->state_dir, rec->id);
        if (k < 0)
                log_err(d, "cannot remove the freeze record %s/%" PRIu64 ": %s", d->state_dir, rec->id, strerror(-k));
}

static bool mine(struct daemon *d, const struct dbc_freeze_record *rec) {
        return rec->pid == getpid() && rec->start == d->self_start;
}

/* Does the configuration still ask policy name to freeze? */
static bool asks_freeze(const struct dbc_config *c, const char *name) {
        for (size_t i = 0; c && i < c->n_policies; i++)
                if (streq(c->policies[i].name, name))
                        return c->policies[i].action == DBC_ACTION_FREEZE;
        return false;
}

void daemon_thaw(struct daemon *d, enum thaw_what what) {
        struct dbc_freeze_record *recs = NULL;
        size_t n = 0, bad = 0;
        int k;

        k = dbc_freeze_records_read(d->state_dir, &recs, &n, &bad);
        if (k < 0) {
                log_err(d, "cannot read the freeze records in %s: %s", d->state_dir,
                        k == -EPERM ? "not a directory of this user that only it may write" : strerror(-k));
                return;
        }
        if (bad > 0)
                log_warn(d, "%zu malformed freeze record(s) in %s ignored", bad, d->state_dir);
        for (size_t i = 0; i < n; i++) {
                const struct dbc_freeze_record *rec = &recs[i];

                switch (what) {
                case THAW_STOPPING:
                        if (mine(d, rec))
                                thaw_record(d, rec, "dmabufd stops");
                        break;
                case THAW_RELOADED:
                        if (mine(d, rec) && !asks_freeze(d->config, rec->policy))
                                thaw_record(d, rec, "its policy no longer asks for freeze");
                        break;
                case THAW_ORPHANS:
                        if (mine(d, rec))
                                break;
                        k = dbc_process_alive(NULL, rec->pid, rec->start);      /* a real process */
                        if (k == 0)
                                thaw_record(d, rec, "the dmabufd that froze it is gone");
                        else if (k > 0)
                                log_warn(d, "%s (policy %s): frozen by dmabufd pid %d, which still runs: left to it",
                                         rec->path, rec->policy, (int) rec->pid);
                        break;
                }
        }
        dbc_freeze_records_free(recs, n);
}

int daemon_list_frozen(struct daemon *d, FILE *f) {
        struct dbc_freeze_record *recs = NULL;
        size_t n = 0;
        int k;

        k = dbc_freeze_records_read(d->state_dir, &recs, &n, NULL);
        if (k < 0) {
                log_err(d, "cannot read the freeze records in %s: %s", d->state_dir,
                        k == -EPERM ? "not a directory of this user that only it may write" : strerror(-k));
                return k;
        }
        for (size_t i = 0; i < n; i++) {
                int alive = dbc_process_alive(NULL, recs[i].pid, recs[i].start);
                /* the path is a cgroup's name, chosen by whoever made it:
                 * escaped as every name we print (escape.h) */
                fputs("frozen by dmabufd: ", f);
                dbc_escape_write(f, recs[i].path, DBC_ESCAPE_TEXT);
                fputs(" (policy ", f);
                dbc_escape_write(f, recs[i].policy, DBC_ESCAPE_TEXT);
                fprintf(f, ", cgroup id %" PRIu64 ", by pid %d%s)\n", recs[i].id, (int) recs[i].pid,
                        alive == 0 ? ", which is gone: thawed at the next start" : "");
        }
        dbc_freeze_records_free(recs, n);
        return 0;
}
