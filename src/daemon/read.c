/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What a pass reads of a policed cgroup, and the fds it keeps for that.
 *
 * memory.current first: with the kernel series and dma_heap.mem_accounting
 * on, a cgroup's dma-buf pages are charged to it like any other page, so
 * memory.stat's dmabuf (its charged dma-heap pages, this cgroup and below)
 * is part of memory.current (every page charged to it and below). A cgroup
 * whose memory.current is below its dmabuf.warn (dmabuf.max without a
 * warn) cannot be over either, and its memory.stat, which the kernel
 * generates after a statistics flush, is not read. Where the kernel does
 * not count dma-buf in memory.current (no series, accounting off), every
 * pass reads memory.stat. A pass that writes the metrics reads every
 * memory.stat, so the file's figures are no older than metrics-interval.
 *
 * fds: memory.current of every policed cgroup stays open, memory.stat from
 * the first pass that needs it to decide (at most 2 per cgroup; a metrics
 * pass opens, reads and closes the others; memory.events, memory.max and
 * memory.high are read when inotify says they changed). When the kept fds
 * would leave fewer than FD_RESERVE free, the cgroups past that point have
 * their files opened, read and closed each time instead, said once with
 * the limit.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "dmabufctl/size.h"
#include "dmabufd.h"

/* memory.stat of a busy cgroup is about 1.5 KiB in 7.2. */
#define STAT_BUF 16384

/* fds left for everything else: inotify, sd-event's, the bus, hooks and
 * their pidfds, the metrics file, a freeze or kill, the directory walks,
 * the open-read-close of the cgroups that keep none. */
#define FD_RESERVE 64

static bool out_of_fds(int error) {
        return error == EMFILE || error == ENFILE;
}

/* May one more fd be kept? Says once when the limit is reached. */
static bool may_keep(struct daemon *d, const char *path) {
        struct rlimit rl = {};

        if (d->fd_budget == 0) {
                if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur == RLIM_INFINITY)
                        rl.rlim_cur = 1024 * 1024;
                d->fd_budget = rl.rlim_cur > 2 * FD_RESERVE ? rl.rlim_cur - FD_RESERVE : rl.rlim_cur / 2;
        }
        if (d->n_kept < d->fd_budget)
                return true;
        if (!d->fds_exhausted) {
                d->fds_exhausted = true;
                if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
                        rl.rlim_cur = 0;
                log_warn(d, "%s: keeping no more files open: %zu kept for %zu policed cgroups, the open file "
                         "limit (RLIMIT_NOFILE) is %llu and %d stay free; the cgroups past this one have "
                         "their memory files opened, read and closed each time (raise LimitNOFILE= of "
                         "dmabufd.service)", path, d->n_kept, d->n_watches, (unsigned long long) rl.rlim_cur,
                         FD_RESERVE);
        }
        return false;
}

/* Keep fd in *slot while fds last, else close it. */
static void keep_or_close(struct daemon *d, const char *path, int *slot, int fd) {
        if (!may_keep(d, path)) {
                close(fd);
                return;
        }
        *slot = fd;
        d->n_kept++;
}

static void close_kept(struct daemon *d, int *fd) {
        if (*fd < 0)
                return;
        close(*fd);
        *fd = -1;
        d->n_kept--;
}

void daemon_watch_close(struct daemon *d, struct watch *w) {
        close_kept(d, &w->statfd);
        close_kept(d, &w->currentfd);
}

/* One pread from offset 0 of an open cgroupfs file: cgroupfs hands out the
 * whole (small) file in one read, so this is the one syscall per file per
 * pass; only a file that fills the buffer is read again in full. */
static int read_kept(int fd, char *buf, size_t size) {
        ssize_t k = pread(fd, buf, size - 1, 0);

        if (k < 0)
                return -errno;
        if ((size_t) k == size - 1)
                return dbc_read_file_at(fd, NULL, buf, size);
        buf[k] = '\0';
        return (int) k;
}

void daemon_read_error(struct daemon *d, struct node *n, int *last, const char *file, int error) {
        struct watch *w = n->watch;

        /* ENODEV: the cgroup is being removed; inotify says so at once. */
        if (error == ENODEV || error == *last)
                return;
        if (error)
                log_err(d, "%s (policy %s): cannot read %s: %s", n->path, w->policy->name, file, strerror(error));
        else if (*last)
                log_info(d, "%s (policy %s): %s reads again", n->path, w->policy->name, file);
        *last = error;
}

int daemon_watch_open(struct daemon *d, int dfd, const char *path, struct watch *w) {
        const struct dbc_policy *p = w->policy;
        char buf[512];
        int fd, current_error = 0, stat_error = 0, events_error = 0, k;

        w->statfd = w->currentfd = -1;
        fd = openat(dfd, "memory.current", O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                current_error = errno;
        else {
                w->has_memory = true;
                keep_or_close(d, path, &w->currentfd, fd);
        }
        /* Opened to know it is there; kept where every pass reads it. */
        fd = openat(dfd, "memory.stat", O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                stat_error = errno;
        else {
                w->has_stat = true;
                if (d->current_first)
                        close(fd);
                else
                        keep_or_close(d, path, &w->statfd, fd);
        }
        fd = openat(dfd, "memory.events", O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                events_error = errno;
        else {
                /* Only events after start count as new. */
                w->has_events = true;
                k = read_kept(fd, buf, sizeof(buf));
                close(fd);
                if (k >= 0)
                        k = dbc_memevents_parse(buf, (size_t) k, &w->events);
                if (k < 0) {
                        log_err(d, "%s (policy %s): cannot read memory.events: %s", path, p->name, strerror(-k));
                        w->events_error = -k;
                }
        }
        if (out_of_fds(current_error) || out_of_fds(stat_error) || out_of_fds(events_error)) {
                daemon_watch_close(d, w);
                return -EMFILE;
        }
        if (current_error && current_error != ENOENT)
                log_err(d, "%s (policy %s): cannot open memory.current: %s", path, p->name, strerror(current_error));
        /* No memory.events where memory.stat exists is a failure. */
        if (events_error && (events_error != ENOENT || w->has_stat))
                log_err(d, "%s (policy %s): cannot open memory.events: %s; its max/oom_kill events go unseen",
                        path, p->name, strerror(events_error));
        if (stat_error)
                log_warn(d, "%s (policy %s): cannot open memory.stat (%s: memory controller not enabled here?); "
                         "it shows no dmabuf", path, p->name, strerror(stat_error));
        return 0;
}

/* Read name of n into buf: through *fd when it is kept, else open it and
 * keep it when asked to and while fds last, or read and close it. */
static int read_file(struct daemon *d, struct node *n, int *fd, const char *name, bool keep, char *buf,
                     size_t size) {
        int k, f;

        if (*fd >= 0)
                return read_kept(*fd, buf, size);
        f = dbc_cgroup_open_file(d->root, n->path, name);
        if (f < 0)
                return f == -ENOENT ? -ENODEV : f;     /* gone: inotify says so */
        k = read_kept(f, buf, size);
        if (keep)
                keep_or_close(d, n->path, fd, f);
        else
                close(f);
        return k;
}

int daemon_read_once(struct daemon *d, struct node *n, const char *name, char *buf, size_t size) {
        int fd = -1;

        return read_file(d, n, &fd, name, false, buf, size);
}

/* The level below which memory.current proves the dmabuf state ok:
 * dmabuf.warn, else dmabuf.max; with neither, dmabuf decides nothing. */
static uint64_t proof_level(const struct dbc_policy *p) {
        if (p->set & DBC_POLICY_DMABUF_WARN)
                return p->dmabuf_warn;
        if (p->set & DBC_POLICY_DMABUF_MAX)
                return p->dmabuf_max;
        return DBC_SIZE_MAX;
}

static bool read_current(struct daemon *d, struct node *n, char *buf) {
        struct watch *w = n->watch;
        uint64_t v;
        int k;

        k = read_file(d, n, &w->currentfd, "memory.current", true, buf, 64);
        if (k >= 0)
                k = dbc_parse_limit(buf, &v);
        daemon_read_error(d, n, &w->current_error, "memory.current", k < 0 ? -k : 0);
        if (k < 0)
                return false;
        w->memory_current = v;
        return true;
}

void daemon_watch_read(struct daemon *d, struct node *n, bool refresh) {
        struct watch *w = n->watch;
        char buf[STAT_BUF];
        bool has_current = false;
        uint64_t v = 0;
        int k;

        /* memory.current: the proof, memory.high's warning, the metrics. */
        if (w->has_memory && (d->current_first || refresh || w->memory_high != DBC_SIZE_MAX))
                has_current = read_current(d, n, buf);
        if (!w->has_stat)
                return;
        if (d->current_first && !refresh && has_current && w->has_dmabuf &&
            w->memory_current < proof_level(w->policy)) {
                /* Cannot be over: what it holds is at most memory.current. */
                if (w->dmabuf > w->memory_current)
                        w->dmabuf = w->memory_current;
                return;
        }
        d->stat_reads++;
        /* A cgroup read only for the metrics (every metrics-interval) keeps
         * no fd for it: one per cgroup is the steady state. */
        k = read_file(d, n, &w->statfd, "memory.stat", !refresh || !d->current_first, buf, sizeof(buf));
        if (k >= 0)
                k = dbc_memstat_find(buf, (size_t) k, "dmabuf", &v);
        /* Gone (ENODEV), no dmabuf key (unpatched: ENOENT), garbage: no
         * figure this pass. Out of fds or memory for a moment: the last
         * figure stands, so that a cgroup over its limit is not taken for
         * one under it and its grace does not start again. */
        if (k >= 0) {
                w->has_dmabuf = true;
                w->dmabuf = v;
        } else if (k != -EMFILE && k != -ENFILE && k != -ENOMEM && k != -EAGAIN && k != -EINTR)
                w->has_dmabuf = false;
        daemon_read_error(d, n, &w->stat_error, k == -ENOENT ? "memory.stat (no dmabuf key)" : "memory.stat",
                          k < 0 ? -k : 0);
        /* Where memory.current was not needed to decide, an alert about
         * this cgroup still names it as it is now. */
        if (!has_current && w->has_memory && w->has_dmabuf && w->dmabuf >= proof_level(w->policy))
                (void) read_current(d, n, buf);
}

void daemon_watch_set_state(struct daemon *d, struct watch *w, enum dbc_state state) {
        d->n_over -= w->state == DBC_STATE_OVER;
        d->n_warn -= w->state == DBC_STATE_WARN;
        w->state = state;
        d->n_over += state == DBC_STATE_OVER;
        d->n_warn += state == DBC_STATE_WARN;
}
