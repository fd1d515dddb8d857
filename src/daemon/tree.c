/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The cgroup tree as dmabufd follows it: one inotify watch per cgroup
 * directory tells about cgroups created and removed after start, so no pass
 * rescans the tree. Policed cgroups also watch IN_MODIFY: cgroupfs reports
 * changes of memory.events (and writes to memory.max / memory.high) as a
 * modification of that file to watchers of its directory.
 */
#include <errno.h>
#include <fcntl.h>
#include <search.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <time.h>

#include "dmabufctl/metrics.h"
#include "dmabufctl/size.h"
#include "dmabufctl/unit.h"
#include "dmabufd.h"

#define DIR_MASK (IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_ONLYDIR | IN_DONT_FOLLOW)
#define POLICED_MASK (DIR_MASK | IN_MODIFY)

static int cmp_wd(const void *a, const void *b) {
        const struct node *x = a, *y = b;
        return x->wd < y->wd ? -1 : x->wd > y->wd;
}

static int cmp_path(const void *a, const void *b) {
        const struct node *x = a, *y = b;
        return strcmp(x->path, y->path);
}

static struct node *find_wd(struct daemon *d, int wd) {
        struct node key = { .wd = wd };
        struct node **n = tfind(&key, &d->nodes_by_wd, cmp_wd);
        return n ? *n : NULL;
}

static struct node *find_path(struct daemon *d, const char *path) {
        struct node key = { .path = (char *) path };
        struct node **n = tfind(&key, &d->nodes_by_path, cmp_path);
        return n ? *n : NULL;
}

static void watch_close(struct daemon *d, struct node *n) {
        struct watch *w = n->watch;

        if (!w)
                return;
        if (w->statfd >= 0)
                close(w->statfd);
        if (w->currentfd >= 0)
                close(w->currentfd);
        if (w->eventsfd >= 0)
                close(w->eventsfd);
        free(w->labels);
        /* Swap-remove from the array each pass walks. */
        d->policed[w->index] = d->policed[--d->n_watches];
        d->policed[w->index]->watch->index = w->index;
        free(w);
        n->watch = NULL;
}

void daemon_read_limits(struct daemon *d, struct node *n) {
        _cleanup_close_ int fd = dbc_cgroup_open(d->root, n->path);
        char buf[64];

        n->watch->memory_max = n->watch->memory_high = DBC_SIZE_MAX;
        if (fd < 0)
                return;
        if (dbc_read_file_at(fd, "memory.max", buf, sizeof(buf)) >= 0)
                (void) dbc_parse_limit(buf, &n->watch->memory_max);
        if (dbc_read_file_at(fd, "memory.high", buf, sizeof(buf)) >= 0)
                (void) dbc_parse_limit(buf, &n->watch->memory_high);
}

/* Start policing n under p: open what each pass reads. */
static int watch_open(struct daemon *d, struct node *n, const struct dbc_policy *p) {
        _cleanup_close_ int dfd = -1;
        struct watch *w;
        char buf[512];
        int k;

        dfd = dbc_cgroup_open(d->root, n->path);
        if (dfd < 0)
                return dfd;
        w = calloc(1, sizeof(*w));
        if (!w)
                return -ENOMEM;
        if (d->n_watches == d->cap_policed) {
                size_t cap = d->cap_policed ? d->cap_policed * 2 : 64;
                struct node **l = realloc(d->policed, cap * sizeof(*l));
                if (!l) {
                        free(w);
                        return -ENOMEM;
                }
                d->policed = l;
                d->cap_policed = cap;
        }
        w->policy = p;
        w->index = d->n_watches;
        d->policed[d->n_watches++] = n;
        w->statfd = openat(dfd, "memory.stat", O_RDONLY | O_CLOEXEC | O_NOCTTY);
        w->currentfd = openat(dfd, "memory.current", O_RDONLY | O_CLOEXEC | O_NOCTTY);
        w->eventsfd = openat(dfd, "memory.events", O_RDONLY | O_CLOEXEC | O_NOCTTY);
        w->has_memory = w->currentfd >= 0;
        n->watch = w;
        w->labels = dbc_metrics_labels(n->path, p->name);
        daemon_read_limits(d, n);
        /* Only events after start count as new. */
        if (w->eventsfd >= 0) {
                k = dbc_read_file_at(w->eventsfd, NULL, buf, sizeof(buf));
                if (k >= 0)
                        (void) dbc_memevents_parse(buf, (size_t) k, &w->events);
        }
        if (w->statfd < 0)
                log_warn(d, "%s (policy %s): no memory.stat (memory controller not enabled here?); it shows no dmabuf",
                         n->path, p->name);
        return 0;
}

/* A unit policy whose unit was not running at start: when a cgroup named
 * like the unit appears, ask again. systemd may create the directory a
 * moment before the unit's ControlGroup says so: then the passes of the
 * next UNIT_RETRY_MS ask again (daemon_tree_retry_units()). */
static int node_match(struct daemon *d, struct node *n);

static void resolve_units_for(struct daemon *d, const char *path) {
        const char *base = strrchr(path, '/');

        base = base ? base + 1 : path;
        for (size_t i = 0; i < d->config->n_policies; i++) {
                struct dbc_policy *p = &d->config->policies[i];
                char *cg = NULL;

                if (!p->unit || p->resolved || !streq(p->unit, base))
                        continue;
                if (dbc_unit_resolve(d->bus, p->unit, &cg) < 0) {
                        struct timespec ts;

                        clock_gettime(CLOCK_MONOTONIC, &ts);
                        d->units_retry_until = (uint64_t) ts.tv_sec * 1000 + (uint64_t) ts.tv_nsec / 1000000 +
                                               UNIT_RETRY_MS;
                        continue;
                }
                p->resolved = cg;
                log_info(d, "policy %s: unit %s is now at %s", p->name, p->unit, cg);
        }
}

void daemon_tree_retry_units(struct daemon *d, uint64_t now_ms) {
        if (now_ms >= d->units_retry_until)
                return;
        for (size_t i = 0; i < d->config->n_policies; i++) {
                struct dbc_policy *p = &d->config->policies[i];
                struct node *n;
                char *cg = NULL;

                if (!p->unit || p->resolved || dbc_unit_resolve(d->bus, p->unit, &cg) < 0)
                        continue;
                p->resolved = cg;
                log_info(d, "policy %s: unit %s is now at %s", p->name, p->unit, cg);
                n = find_path(d, cg);
                if (n && node_match(d, n) == 0 && n->watch)
                        log_info(d, "policing %s (policy %s)", n->path, n->watch->policy->name);
        }
}

/* Match n against the configuration and open or close its watch. */
static int node_match(struct daemon *d, struct node *n) {
        const struct dbc_policy *p;
        _cleanup_free_ char *abs = NULL;
        int k;

        resolve_units_for(d, n->path);
        p = dbc_policy_match(d->config, n->path);
        if (n->watch && n->watch->policy == p)
                return 0;
        if (n->watch && p) {
                /* Same cgroup, the reloaded policy (perhaps renamed). */
                n->watch->policy = p;
                free(n->watch->labels);
                n->watch->labels = dbc_metrics_labels(n->path, p->name);
                return 0;
        }
        watch_close(d, n);
        if (p) {
                k = watch_open(d, n, p);
                if (k < 0)
                        return k;
        }
        /* Update the mask: IN_MODIFY only where it matters. */
        if (d->inotify_fd >= 0) {
                if (asprintf(&abs, "%s%s", d->root->path, n->path) < 0)
                        return -ENOMEM;
                (void) inotify_add_watch(d->inotify_fd, abs, p ? POLICED_MASK : DIR_MASK);
        }
        return 0;
}

static void node_free(struct node *n) {
        free(n->path);
        free(n);
}

static void node_remove(struct daemon *d, struct node *n, bool say) {
        if (say && n->watch)
                log_info(d, "%s (policy %s) is gone", n->path, n->watch->policy->name);
        watch_close(d, n);
        tdelete(n, &d->nodes_by_wd, cmp_wd);
        tdelete(n, &d->nodes_by_path, cmp_path);
        if (d->inotify_fd >= 0)
                (void) inotify_rm_watch(d->inotify_fd, n->wd);   /* EINVAL when already gone */
        d->n_nodes--;
        node_free(n);
}

static int node_add(struct daemon *d, const char *path) {
        _cleanup_free_ char *abs = NULL;
        struct node *n, *old;
        int wd;

        if (asprintf(&abs, "%s%s", d->root->path, streq(path, "/") ? "" : path) < 0)
                return -ENOMEM;
        wd = inotify_add_watch(d->inotify_fd, streq(path, "/") ? d->root->path : abs, DIR_MASK);
        if (wd < 0)
                return errno == ENOENT || errno == ENOTDIR ? 0 : -errno;      /* gone meanwhile */
        old = find_wd(d, wd);
        if (old) {
                /* Seen already (a create event raced with a walk). */
                old->generation = d->generation;
                return 0;
        }
        old = find_path(d, path);
        if (old)        /* same path, a new directory: the old one is gone */
                node_remove(d, old, true);

        n = calloc(1, sizeof(*n));
        if (!n)
                return -ENOMEM;
        n->wd = wd;
        n->path = strdup(path);
        n->generation = d->generation;
        if (!n->path || !tsearch(n, &d->nodes_by_wd, cmp_wd)) {
                node_free(n);
                return -ENOMEM;
        }
        if (!tsearch(n, &d->nodes_by_path, cmp_path)) {
                tdelete(n, &d->nodes_by_wd, cmp_wd);
                node_free(n);
                return -ENOMEM;
        }
        d->n_nodes++;
        int k = node_match(d, n);
        if (k == -ENOENT || k == -ENODEV)
                return 0;       /* removed while we looked: inotify says so soon */
        if (k < 0)
                return k;
        if (n->watch)
                log_info(d, "policing %s (policy %s)", n->path, n->watch->policy->name);
        return 0;
}

static int add_one(struct dbc_root *r, const char *path, int dirfd, void *userdata) {
        struct daemon *d = userdata;
        int k = node_add(d, path);

        if (k < 0)
                log_err(d, "cannot watch %s: %s", path, strerror(-k));
        return k == -ENOMEM || k == -ENOSPC || k == -EMFILE ? k : 0;
}

static int add_subtree(struct daemon *d, const char *path) {
        int k = dbc_cgroup_walk(d->root, path, add_one, d);

        if (k == -ENOSPC)
                log_err(d, "out of inotify watches (fs.inotify.max_user_watches) while watching %s", path);
        return k == -ENOENT || k == -ENOTDIR ? 0 : k;
}

int daemon_tree_init(struct daemon *d) {
        d->inotify_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
        if (d->inotify_fd < 0)
                return -errno;
        d->generation++;
        return add_subtree(d, "/");
}

static char *child_path(const char *parent, const char *name) {
        char *s;

        if (asprintf(&s, "%s/%s", streq(parent, "/") ? "" : parent, name) < 0)
                return NULL;
        return s;
}

int daemon_tree_process_inotify(struct daemon *d, uint64_t now_ms) {
        char buf[65536] __attribute__((aligned(__alignof__(struct inotify_event))));
        bool overflow = false;

        for (;;) {
                ssize_t len = read(d->inotify_fd, buf, sizeof(buf));
                if (len < 0) {
                        if (errno == EINTR)
                                continue;
                        if (errno == EAGAIN)
                                break;
                        return -errno;
                }
                for (char *p = buf; p < buf + len;) {
                        struct inotify_event *e = (struct inotify_event *) p;
                        struct node *n;

                        p += sizeof(*e) + e->len;
                        if (e->mask & IN_Q_OVERFLOW) {
                                overflow = true;
                                continue;
                        }
                        n = find_wd(d, e->wd);
                        if (!n)
                                continue;
                        if (e->mask & IN_IGNORED) {
                                node_remove(d, n, true);
                                continue;
                        }
                        if (e->len == 0)
                                continue;
                        if ((e->mask & IN_ISDIR) && (e->mask & (IN_CREATE | IN_MOVED_TO))) {
                                _cleanup_free_ char *c = child_path(n->path, e->name);
                                if (!c)
                                        return -ENOMEM;
                                int k = add_subtree(d, c);
                                if (k < 0)
                                        log_err(d, "cannot watch %s: %s", c, strerror(-k));
                        } else if ((e->mask & IN_ISDIR) && (e->mask & (IN_DELETE | IN_MOVED_FROM))) {
                                _cleanup_free_ char *c = child_path(n->path, e->name);
                                if (!c)
                                        return -ENOMEM;
                                struct node *gone = find_path(d, c);
                                if (gone)
                                        node_remove(d, gone, true);
                        } else if ((e->mask & IN_MODIFY) && n->watch) {
                                if (streq(e->name, "memory.events"))
                                        daemon_memory_events(d, n, now_ms);
                                else if (streq(e->name, "memory.max") || streq(e->name, "memory.high"))
                                        daemon_read_limits(d, n);
                        }
                }
        }
        if (overflow) {
                log_warn(d, "inotify queue overflowed: rescanning the cgroup tree");
                return daemon_tree_rescan(d);
        }
        return 0;
}

struct collect {
        unsigned stale_before;  /* only nodes of an older generation; 0: all */
        struct node **list;
        size_t n, cap;
        bool oom;
};

static void collect_one(const void *nodep, VISIT which, void *userdata) {
        struct node *n = *(struct node *const *) nodep;
        struct collect *c = userdata;

        if (which != postorder && which != leaf)
                return;
        if (c->stale_before && n->generation >= c->stale_before)
                return;
        if (c->n == c->cap) {
                size_t cap = c->cap ? c->cap * 2 : 64;
                struct node **l = realloc(c->list, cap * sizeof(*l));
                if (!l) {
                        c->oom = true;
                        return;
                }
                c->list = l;
                c->cap = cap;
        }
        c->list[c->n++] = n;
}

/* The nodes (removing them from the tree while walking it is not allowed,
 * so collect first). */
static int collect(struct daemon *d, unsigned stale_before, struct collect *c) {
        *c = (struct collect) { .stale_before = stale_before };
        twalk_r(d->nodes_by_wd, collect_one, c);
        if (c->oom) {
                free(c->list);
                return -ENOMEM;
        }
        return 0;
}

int daemon_tree_rescan(struct daemon *d) {
        struct collect c;
        int k;

        d->generation++;
        k = add_subtree(d, "/");
        if (k < 0)
                return k;
        k = collect(d, d->generation, &c);
        if (k < 0)
                return k;
        for (size_t i = 0; i < c.n; i++)
                node_remove(d, c.list[i], true);
        free(c.list);
        return 0;
}

int daemon_tree_rematch(struct daemon *d) {
        struct collect c;
        int k = collect(d, 0, &c);

        if (k < 0)
                return k;
        for (size_t i = 0; i < c.n; i++) {
                struct node *n = c.list[i];
                bool was = n->watch != NULL;
                int r = node_match(d, n);

                if (r < 0 && r != -ENOENT && r != -ENODEV)
                        log_err(d, "%s: %s", n->path, strerror(-r));
                if (!was && n->watch)
                        log_info(d, "policing %s (policy %s)", n->path, n->watch->policy->name);
                else if (was && !n->watch)
                        log_info(d, "no longer policing %s", n->path);
        }
        free(c.list);
        return 0;
}

void daemon_tree_free(struct daemon *d) {
        struct collect c;

        if (collect(d, 0, &c) == 0) {
                for (size_t i = 0; i < c.n; i++)
                        node_remove(d, c.list[i], false);
                free(c.list);
        }
        free(d->policed);
        d->policed = NULL;
        if (d->inotify_fd >= 0)
                close(d->inotify_fd);
        d->inotify_fd = -1;
}
