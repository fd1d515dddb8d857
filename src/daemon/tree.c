/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The cgroup tree as dmabufd follows it: an inotify watch on every cgroup
 * directory a policy can match at or below (dbc_config_may_match_below())
 * tells about cgroups created and removed after start, so no pass rescans
 * the tree. Policed cgroups also watch IN_MODIFY: cgroupfs reports changes
 * of memory.events (and writes to memory.max / memory.high) as a
 * modification of that file to watchers of its directory.
 *
 * Out of inotify watches (ENOSPC: fs.inotify.max_user_watches) or fds
 * (EMFILE), nothing stops: a directory without a watch is still a node (a
 * negative wd of its own), a policed one is still policed and its
 * memory.events polled each pass, and the tree is rescanned each pass until
 * watches are available again.
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

static void watch_free(struct daemon *d, struct watch *w) {
        if (!w)
                return;
        daemon_watch_close(d, w);
        free(w->labels);
        free(w);
}

static void watch_close(struct daemon *d, struct node *n) {
        struct watch *w = n->watch;

        if (!w)
                return;
        daemon_watch_set_state(d, w, DBC_STATE_OK);     /* for STATUS= */
        /* Swap-remove from the array each pass walks. */
        d->policed[w->index] = d->policed[--d->n_watches];
        d->policed[w->index]->watch->index = w->index;
        watch_free(d, w);
        n->watch = NULL;
}

static void read_limits(struct daemon *d, const char *path, struct watch *w) {
        _cleanup_close_ int fd = dbc_cgroup_open(d->root, path);
        char buf[64];

        w->memory_max = w->memory_high = DBC_SIZE_MAX;
        if (fd < 0)
                return;
        if (dbc_read_file_at(fd, "memory.max", buf, sizeof(buf)) >= 0)
                (void) dbc_parse_limit(buf, &w->memory_max);
        if (dbc_read_file_at(fd, "memory.high", buf, sizeof(buf)) >= 0)
                (void) dbc_parse_limit(buf, &w->memory_high);
}

void daemon_read_limits(struct daemon *d, struct node *n) {
        read_limits(d, n->path, n->watch);
}

/* The test seam of reload: with fault_alloc set, its n-th allocation fails. */
static bool fault(struct daemon *d) {
        return d->fault_alloc > 0 && --d->fault_alloc == 0;
}

static bool out_of_fds(int error) {
        return error == EMFILE || error == ENFILE;
}

static void note_short(struct daemon *d, int error, const char *path) {
        if (!d->watch_short)
                d->watch_short = error;
        if (d->watch_short_said)
                return;
        d->watch_short_said = true;
        if (error == ENOSPC)
                log_err(d, "out of inotify watches at %s (fs.inotify.max_user_watches): what a policy matches "
                        "stays policed; the tree is rescanned each pass until watches are available again", path);
        else
                log_err(d, "out of file descriptors at %s (%s; the open file limit, LimitNOFILE=): "
                        "the tree is rescanned each pass until it can open what it needs", path, strerror(error));
}

/* Room in d->policed for more watches (attaching then cannot fail). */
static int policed_reserve(struct daemon *d, size_t more) {
        size_t cap = d->cap_policed ? d->cap_policed : 64;

        while (cap < d->n_watches + more)
                cap *= 2;
        if (cap == d->cap_policed && d->policed)
                return 0;
        struct node **l = fault(d) ? NULL : realloc(d->policed, cap * sizeof(*l));
        if (!l)
                return -ENOMEM;
        d->policed = l;
        d->cap_policed = cap;
        return 0;
}

/* Open what the passes read of path under p (read.c). -ENOENT / -ENODEV:
 * gone; -EMFILE: out of fds. */
static int watch_prepare(struct daemon *d, const char *path, const struct dbc_policy *p, struct watch **ret) {
        _cleanup_close_ int dfd = -1;
        struct watch *w;
        int k;

        dfd = dbc_cgroup_open(d->root, path);
        if (dfd < 0)
                return out_of_fds(-dfd) ? -EMFILE : dfd;
        w = fault(d) ? NULL : calloc(1, sizeof(*w));
        if (!w)
                return -ENOMEM;
        w->policy = p;
        /* The metrics' label set, formatted once per cgroup. */
        w->labels = fault(d) ? NULL : dbc_metrics_labels(path, p->name);
        if (!w->labels) {
                free(w);
                return -ENOMEM;
        }
        k = daemon_watch_open(d, dfd, path, w);
        if (k < 0) {
                watch_free(d, w);
                return k;
        }
        read_limits(d, path, w);
        *ret = w;
        return 0;
}

static void watch_attach(struct daemon *d, struct node *n, struct watch *w) {
        w->index = d->n_watches;
        d->policed[d->n_watches++] = n;
        n->watch = w;
}

/* A unit policy whose unit was not running at start (or whose cgroup a
 * reload kept and systemd has not confirmed): when a cgroup named like the
 * unit appears, systemd is asked again, without waiting for its answer
 * (units.c); systemd may create the directory a moment before the unit's
 * ControlGroup says so, so it is asked every second for UNIT_RETRY_MS. A
 * configuration being loaded (c is not d->config) had its units asked for
 * by its load just now. */
static int node_match(struct daemon *d, struct node *n);

static void resolve_units_for(struct daemon *d, struct dbc_config *c, const char *path) {
        const char *base = strrchr(path, '/');
        struct timespec ts;

        if (c != d->config)
                return;
        base = base ? base + 1 : path;
        for (size_t i = 0; i < c->n_policies; i++) {
                struct dbc_policy *p = &c->policies[i];

                if (!p->unit || (p->resolved && !p->unconfirmed) || !streq(p->unit, base))
                        continue;
                daemon_units_ask(d, i);
                if (!p->resolved || p->unconfirmed) {
                        clock_gettime(CLOCK_MONOTONIC, &ts);
                        daemon_units_retry(d, (uint64_t) ts.tv_sec * 1000 + (uint64_t) ts.tv_nsec / 1000000);
                }
        }
}

/* The policy of c for the directory of cgroup id at path: dbc_policy_match()
 * without the unit policies that may not police it (a new directory at a
 * kept path systemd has not confirmed). */
static const struct dbc_policy *policy_match(const struct dbc_config *c, const char *path, uint64_t id) {
        const struct dbc_policy *best = NULL;

        for (const struct dbc_policy *p = NULL; (p = dbc_policy_match_next(c, path, p));)
                if (daemon_unit_may_police(p, id) && (!best || dbc_policy_precedence(p, best, NULL) < 0))
                        best = p;
        return best;
}

void daemon_tree_match_path(struct daemon *d, const char *path) {
        struct node *n = find_path(d, path);
        const char *was = n && n->watch ? n->watch->policy->name : NULL;

        if (!n || node_match(d, n) < 0)
                return;
        if (!was && n->watch)
                log_info(d, "policing %s (policy %s)", n->path, n->watch->policy->name);
        else if (was && !n->watch)
                log_info(d, "no longer policing %s", n->path);
}

uint64_t daemon_tree_policed_id(struct daemon *d, const char *path, const struct dbc_policy *p) {
        struct node *n = find_path(d, path);

        return n && n->watch && n->watch->policy == p ? n->id : 0;
}

static void update_mask(struct daemon *d, struct node *n) {
        _cleanup_free_ char *abs = NULL;

        if (d->inotify_fd < 0 || n->wd < 0)
                return;
        if (asprintf(&abs, "%s%s", d->root->path, streq(n->path, "/") ? "" : n->path) < 0)
                return;
        /* IN_MODIFY only where it matters; the same wd comes back. */
        (void) inotify_add_watch(d->inotify_fd, abs, n->watch ? POLICED_MASK : DIR_MASK);
}

/* Match n against the configuration and open or close its watch. */
static int node_match(struct daemon *d, struct node *n) {
        const struct dbc_policy *p;
        struct watch *w = NULL;
        int k;

        resolve_units_for(d, d->config, n->path);
        p = policy_match(d->config, n->path, n->id);
        if (n->watch && n->watch->policy == p)
                return 0;
        if (n->watch && p) {
                /* Same cgroup, the reloaded policy (perhaps renamed). */
                char *labels = dbc_metrics_labels(n->path, p->name);
                if (!labels)
                        return -ENOMEM;
                n->watch->policy = p;
                free(n->watch->labels);
                n->watch->labels = labels;
                return 0;
        }
        watch_close(d, n);
        if (p) {
                k = policed_reserve(d, 1);
                if (k < 0)
                        return k;
                k = watch_prepare(d, n->path, p, &w);
                if (k == -EMFILE) {
                        note_short(d, EMFILE, n->path);
                        return 0;       /* the next rescan tries again */
                }
                if (k < 0)
                        return k;
                watch_attach(d, n, w);
        }
        update_mask(d, n);
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
        if (d->inotify_fd >= 0 && n->wd >= 0)
                (void) inotify_rm_watch(d->inotify_fd, n->wd);   /* EINVAL when already gone */
        d->n_nodes--;
        node_free(n);
}

static int node_insert(struct daemon *d, struct node *n) {
        if (!tsearch(n, &d->nodes_by_wd, cmp_wd))
                return -ENOMEM;
        if (!tsearch(n, &d->nodes_by_path, cmp_path)) {
                tdelete(n, &d->nodes_by_wd, cmp_wd);
                return -ENOMEM;
        }
        return 0;
}

/* Add (or refresh, in a rescan) the node of path, open at dirfd. */
static int node_add(struct daemon *d, const char *path, int dirfd) {
        _cleanup_free_ char *abs = NULL;
        const struct dbc_policy *p;
        struct node *n, *old;
        uint64_t id;
        bool was;
        int wd, k;

        k = dbc_cgroup_id(dirfd, &id);
        if (k < 0)
                return k;
        /* The mask it will need: a rescan must not drop IN_MODIFY. */
        resolve_units_for(d, d->config, path);
        p = policy_match(d->config, path, id);
        if (asprintf(&abs, "%s%s", d->root->path, streq(path, "/") ? "" : path) < 0)
                return -ENOMEM;
        wd = inotify_add_watch(d->inotify_fd, abs, p ? POLICED_MASK : DIR_MASK);
        if (wd < 0) {
                if (errno == ENOENT || errno == ENOTDIR)
                        return 0;       /* gone meanwhile */
                if (errno != ENOSPC && !out_of_fds(errno))
                        return -errno;
                note_short(d, errno, path);
        }
        old = wd >= 0 ? find_wd(d, wd) : NULL;
        if (!old) {
                old = find_path(d, path);
                if (old && old->id != id) {
                        node_remove(d, old, true);      /* same path, a new directory */
                        old = NULL;
                }
        }
        if (old) {
                /* Seen already: a rescan, or a create event that raced with a walk. */
                old->generation = d->generation;
                if (wd >= 0 && old->wd != wd) {
                        /* Watched at last: key it by its wd. */
                        tdelete(old, &d->nodes_by_wd, cmp_wd);
                        old->wd = wd;
                        if (!tsearch(old, &d->nodes_by_wd, cmp_wd)) {
                                old->wd = --d->unwatched;
                                if (!tsearch(old, &d->nodes_by_wd, cmp_wd))
                                        return -ENOMEM;
                        }
                }
                was = old->watch != NULL;
                k = node_match(d, old);
                if (k < 0 && k != -ENOENT && k != -ENODEV)
                        return k;
                if (!was && old->watch)
                        log_info(d, "policing %s (policy %s)", old->path, old->watch->policy->name);
                return 0;
        }

        n = calloc(1, sizeof(*n));
        if (!n)
                return -ENOMEM;
        /* Without a watch: a key of its own, found by no event. */
        n->wd = wd >= 0 ? wd : --d->unwatched;
        n->id = id;
        n->path = strdup(path);
        n->generation = d->generation;
        if (!n->path || node_insert(d, n) < 0) {
                node_free(n);
                return -ENOMEM;
        }
        d->n_nodes++;
        k = node_match(d, n);
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
        int k;

        /* Only where a policy can match, here or below. */
        if (!dbc_config_may_match_below(d->config, path))
                return 1;
        k = node_add(d, path, dirfd);
        if (k < 0)
                log_err(d, "cannot watch %s: %s", path, strerror(-k));
        return k == -ENOMEM ? k : 0;
}

static void add_error(const char *path, int error, void *userdata) {
        struct daemon *d = userdata;

        if (out_of_fds(-error))
                note_short(d, -error, path);
        else
                log_err(d, "cannot look into %s: %s", path, strerror(-error));
}

static int add_subtree(struct daemon *d, const char *path) {
        int k = dbc_cgroup_walk_full(d->root, path, add_one, add_error, d);

        if (out_of_fds(-k)) {
                note_short(d, -k, path);
                return 0;
        }
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

/* What a reload changes for one node, prepared before anything changes. */
struct rematch {
        struct node *node;
        const struct dbc_policy *policy;        /* in the new configuration; NULL: none */
        struct watch *watch;                    /* a new watch to attach */
        char *labels;                           /* new labels of a kept watch */
};

static void rematch_free(struct daemon *d, struct rematch *r, size_t n) {
        for (size_t i = 0; r && i < n; i++) {
                watch_free(d, r[i].watch);
                free(r[i].labels);
        }
        free(r);
}

int daemon_tree_rematch(struct daemon *d, struct dbc_config *c) {
        struct rematch *r = NULL;
        struct collect nodes = {};
        size_t more = 0;
        int k;

        /* 1. Everything that can fail, the old configuration in force. */
        if (fault(d))
                return -ENOMEM;
        k = collect(d, 0, &nodes);
        if (k < 0)
                return k;
        r = fault(d) ? NULL : calloc(nodes.n ? nodes.n : 1, sizeof(*r));
        if (!r) {
                free(nodes.list);
                return -ENOMEM;
        }
        for (size_t i = 0; i < nodes.n; i++) {
                struct node *n = nodes.list[i];
                const struct dbc_policy *p;

                resolve_units_for(d, c, n->path);
                p = policy_match(c, n->path, n->id);
                r[i] = (struct rematch) { .node = n, .policy = p };
                if (!p)
                        continue;
                if (n->watch) {
                        r[i].labels = fault(d) ? NULL : dbc_metrics_labels(n->path, p->name);
                        if (!r[i].labels) {
                                k = -ENOMEM;
                                goto fail;
                        }
                        continue;
                }
                k = watch_prepare(d, n->path, p, &r[i].watch);
                if (k == -ENOENT || k == -ENODEV || k == -EMFILE) {
                        if (k == -EMFILE)
                                note_short(d, EMFILE, n->path);
                        r[i].policy = NULL;     /* gone, or for the next rescan */
                        continue;
                }
                if (k < 0)
                        goto fail;
                more++;
        }
        k = policed_reserve(d, more);
        if (k < 0)
                goto fail;

        /* 2. Nothing fails from here: the new configuration takes over. */
        struct dbc_config *old = d->config;
        d->config = c;
        daemon_units_reloaded(d, old);  /* the questions name policies of the old one */
        /* The new metrics-interval (and file) count from the next pass. */
        d->metrics_due_ms = 0;
        d->metrics_start_us = 0;
        d->metrics_slow_said = false;
        for (size_t i = 0; i < nodes.n; i++) {
                struct node *n = r[i].node;
                bool was = n->watch != NULL;

                if (n->watch && r[i].policy) {
                        n->watch->policy = r[i].policy;
                        free(n->watch->labels);
                        n->watch->labels = TAKE_PTR(r[i].labels);
                } else if (n->watch)
                        watch_close(d, n);
                else if (r[i].watch)
                        watch_attach(d, n, TAKE_PTR(r[i].watch));
                if (was != (n->watch != NULL))
                        update_mask(d, n);
                if (!was && n->watch)
                        log_info(d, "policing %s (policy %s)", n->path, n->watch->policy->name);
                else if (was && !n->watch)
                        log_info(d, "no longer policing %s", n->path);
        }
        rematch_free(d, r, nodes.n);
        free(nodes.list);
        dbc_config_free(old);

        /* Directories the new policies can match below: watched now (and
         * ones no policy needs any more dropped). A failure here is like one
         * at run time: said, and the next passes rescan. */
        k = daemon_tree_rescan(d);
        if (k < 0) {
                log_err(d, "rescanning the cgroup tree after the reload: %s", strerror(-k));
                if (!d->watch_short)
                        d->watch_short = -k;
        }
        return 0;

fail:
        rematch_free(d, r, nodes.n);
        free(nodes.list);
        return k;
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
