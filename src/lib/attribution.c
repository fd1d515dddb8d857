/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Per-process dma-buf attribution from procfs.
 *
 * Every process's fdinfo directory and maps are read once, with openat() on
 * the process directory; comm and cgroup only for processes that hold a
 * buffer. bench/buffers compares this with a loop that reads every fdinfo
 * and maps file once and does nothing else.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "dmabufctl/attribution.h"
#include "dmabufctl/fdinfo.h"
#include "dmabufctl/macro.h"
#include "dmabufctl/maps.h"
#include "dmabufctl/memstat.h"
#include "dmabufctl/size.h"

struct ctx {
        const struct dbc_scan_params *p;
        struct dbc_scan *s;
        struct dbc_scan_error *err;
        int proc_fd;

        /* inode -> index + 1 into s->buffers (0: empty slot); the key is
         * the buffer's inode */
        size_t *vals;
        size_t n_slots;

        size_t cap_buffers;
        size_t cap_procs;

        /* buffers this process got a holder entry for, to undo if it vanishes */
        size_t *touched;
        size_t n_touched;
        size_t cap_touched;

        bool *seen_fd;          /* per buffer: seen through an fd (size from fdinfo) */

        /* exporter names seen (in s->strings): thousands of buffers share a few */
        const char **exporters;
        size_t n_exporters;
        size_t cap_exporters;

        char *buf;              /* file contents */
        size_t cap_buf;
};

static void set_err(struct ctx *c, const char *a, const char *b, const char *d) {
        snprintf(c->err->path, sizeof(c->err->path), "%s%s%s%s%s", a,
                 b ? "/" : "", b ? b : "", d ? "/" : "", d ? d : "");
}

/* Room for need elements in *p, doubling from first. */
static int grow_from(void **p, size_t *cap, size_t need, size_t elem, size_t first) {
        size_t ncap;
        void *n;

        if (need <= *cap)
                return 0;
        ncap = *cap ? *cap * 2 : first;
        while (ncap < need)
                ncap *= 2;
        n = realloc(*p, ncap * elem);
        if (!n)
                return -ENOMEM;
        *p = n;
        *cap = ncap;
        return 0;
}

static int grow(void **p, size_t *cap, size_t need, size_t elem) {
        return grow_from(p, cap, need, elem, 16);
}

/* Read a whole file at dirfd/name into c->buf (NUL terminated). Returns the
 * length or a negative errno. procfs files are read until read() returns 0:
 * a short read of a seq_file (maps) does not mean the end. A one-record
 * file (one_record: fdinfo, comm, cgroup) is the exception: the kernel
 * writes its one record (single_open(), or a show() per fd) into one read
 * when the buffer has room, so a read that leaves room is the whole file
 * and no second read() is spent on seeing 0 (a regular file of a fixture
 * tree is short only at its end too). */
static int read_whole(struct ctx *c, int dirfd, const char *name, bool one_record) {
        _cleanup_close_ int fd = -1;
        size_t n = 0;

        fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return -errno;
        for (;;) {
                ssize_t k;

                if (c->cap_buf - n < 4096 + 1) {
                        if (c->cap_buf >= (1u << 30))
                                return -EFBIG;
                        char *nb = realloc(c->buf, c->cap_buf * 2);
                        if (!nb)
                                return -ENOMEM;
                        c->buf = nb;
                        c->cap_buf *= 2;
                }
                k = read(fd, c->buf + n, c->cap_buf - 1 - n);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (k == 0)
                        break;
                n += (size_t) k;
                if (one_record && n < c->cap_buf - 1)
                        break;
        }
        c->buf[n] = '\0';
        return (int) n;
}

static size_t hash_u64(uint64_t v) {
        v ^= v >> 33;
        v *= 0xff51afd7ed558ccdULL;
        v ^= v >> 33;
        return (size_t) v;
}

static int rehash(struct ctx *c) {
        size_t n = c->n_slots ? c->n_slots * 2 : 1024;
        size_t *vals = calloc(n, sizeof(*vals));

        if (!vals)
                return -ENOMEM;
        for (size_t i = 0; i < c->n_slots; i++) {
                size_t j;

                if (!c->vals[i])
                        continue;
                for (j = hash_u64(c->s->buffers[c->vals[i] - 1].inode) & (n - 1); vals[j]; j = (j + 1) & (n - 1))
                        ;
                vals[j] = c->vals[i];
        }
        free(c->vals);
        c->vals = vals;
        c->n_slots = n;
        return 0;
}

/* The buffer of inode, created when new. Returns its index or -ENOMEM. */
static ssize_t buffer_get(struct ctx *c, uint64_t inode) {
        struct dbc_scan *s = c->s;
        size_t j;

        if ((s->n_buffers + 1) * 2 > c->n_slots && rehash(c) < 0)
                return -ENOMEM;
        for (j = hash_u64(inode) & (c->n_slots - 1); c->vals[j]; j = (j + 1) & (c->n_slots - 1))
                if (s->buffers[c->vals[j] - 1].inode == inode)
                        return (ssize_t) (c->vals[j] - 1);

        size_t old_cap = c->cap_buffers;
        if (grow((void **) &s->buffers, &c->cap_buffers, s->n_buffers + 1, sizeof(*s->buffers)) < 0)
                return -ENOMEM;
        if (c->cap_buffers != old_cap) {
                bool *n = realloc(c->seen_fd, c->cap_buffers * sizeof(*n));
                if (!n)
                        return -ENOMEM;
                c->seen_fd = n;
        }
        s->buffers[s->n_buffers] = (struct dbc_buffer) { .inode = inode };
        c->seen_fd[s->n_buffers] = false;
        c->vals[j] = s->n_buffers + 1;
        return (ssize_t) s->n_buffers++;
}

/* The holder entry of the process being read (index s->n_procs) on buffer bi. */
static struct dbc_holder *holder_get(struct ctx *c, size_t bi) {
        struct dbc_buffer *b = &c->s->buffers[bi];
        size_t me = c->s->n_procs;

        if (b->n_holders > 0 && b->holders[b->n_holders - 1].proc == me)
                return &b->holders[b->n_holders - 1];
        /* most buffers have one or two holders: 16 each would be most of
         * the scan's memory at 16,000 buffers */
        if (grow_from((void **) &b->holders, &b->cap_holders, b->n_holders + 1, sizeof(*b->holders), 2) < 0 ||
            grow((void **) &c->touched, &c->cap_touched, c->n_touched + 1, sizeof(*c->touched)) < 0)
                return NULL;
        c->touched[c->n_touched++] = bi;
        b->holders[b->n_holders] = (struct dbc_holder) { .proc = me };
        return &b->holders[b->n_holders++];
}

static int set_string(char **dst, const char *src, size_t len) {
        char *n;

        if (*dst)
                return 0;       /* the first reading wins; they agree anyway */
        n = strndup(src, len);
        if (!n)
                return -ENOMEM;
        *dst = n;
        return 0;
}

static int add_string(struct dbc_scan *s, char *str);

/* b's exporter, when it has none yet: the scan's one copy of that name. */
static int set_exporter(struct ctx *c, struct dbc_buffer *b, const char *name, size_t len) {
        char *n;

        if (b->exporter)
                return 0;       /* the first reading wins; they agree anyway */
        for (size_t i = 0; i < c->n_exporters; i++)
                if (strlen(c->exporters[i]) == len && memcmp(c->exporters[i], name, len) == 0) {
                        b->exporter = c->exporters[i];
                        return 0;
                }
        if (grow((void **) &c->exporters, &c->cap_exporters, c->n_exporters + 1, sizeof(*c->exporters)) < 0)
                return -ENOMEM;
        n = strndup(name, len);
        if (!n || add_string(c->s, n) < 0)
                return -ENOMEM;         /* add_string freed n */
        c->exporters[c->n_exporters++] = n;
        b->exporter = n;
        return 0;
}

static int add_fd(struct ctx *c, const struct dbc_fdinfo *fi, uint64_t inode) {
        struct dbc_buffer *b;
        struct dbc_holder *h;
        ssize_t bi;

        bi = buffer_get(c, inode);
        if (bi < 0)
                return (int) bi;
        b = &c->s->buffers[bi];
        b->size = fi->size;
        c->seen_fd[bi] = true;
        if (set_exporter(c, b, fi->exp_name, strlen(fi->exp_name)) < 0)
                return -ENOMEM;
        /* exporter may have been NULL from a map; an fd's name wins too */
        if (fi->name[0] && !b->name && set_string(&b->name, fi->name, strlen(fi->name)) < 0)
                return -ENOMEM;
        if (fi->has_charged_cgroup_id) {
                b->has_charged = true;
                b->charged_cgroup_id = fi->charged_cgroup_id;
        }
        h = holder_get(c, (size_t) bi);
        if (!h)
                return -ENOMEM;
        h->fds++;
        return 0;
}

static int add_map(const struct dbc_dmabuf_map *m, void *userdata) {
        struct ctx *c = userdata;
        struct dbc_buffer *b;
        struct dbc_holder *h;
        ssize_t bi;

        bi = buffer_get(c, m->inode);
        if (bi < 0)
                return (int) bi;
        b = &c->s->buffers[bi];
        if (!c->seen_fd[bi] && m->end - m->start > b->size)
                b->size = m->end - m->start;
        if (m->name && m->name_len > 0 && set_string(&b->name, m->name, m->name_len) < 0)
                return -ENOMEM;
        h = holder_get(c, (size_t) bi);
        if (!h)
                return -ENOMEM;
        h->maps++;
        return 0;
}

/* Forget what the process being read added: it vanished or hid. */
static void undo_proc(struct ctx *c) {
        for (size_t i = c->n_touched; i > 0; i--) {
                struct dbc_buffer *b = &c->s->buffers[c->touched[i - 1]];
                if (b->n_holders > 0 && b->holders[b->n_holders - 1].proc == c->s->n_procs)
                        b->n_holders--;
        }
        c->n_touched = 0;
}

static bool is_gone(int r) {
        return r == -ENOENT || r == -ESRCH;
}

static bool is_denied(int r) {
        return r == -EACCES || r == -EPERM;
}

static int read_fds(struct ctx *c, int pid_fd, const char *pid) {
        _cleanup_closedir_ DIR *d = NULL;
        _cleanup_close_ int fd_dir = -1;
        struct dirent *de;
        int dfd, r;

        dfd = openat(pid_fd, "fdinfo", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return -errno;
        d = fdopendir(dfd);
        if (!d) {
                r = -errno;
                close(dfd);
                return r;
        }
        while ((errno = 0, de = readdir(d))) {
                struct dbc_fdinfo fi;
                uint64_t inode;

                if (de->d_name[0] < '0' || de->d_name[0] > '9')
                        continue;
                r = read_whole(c, dfd, de->d_name, true);
                if (r == -ENOENT)
                        continue;       /* closed meanwhile */
                if (r < 0)
                        return r;
                r = dbc_fdinfo_parse(c->buf, (size_t) r, &fi);
                if (r == 0)
                        continue;
                if (r < 0) {
                        /* One bad file costs that buffer, not the run: the
                         * caller notes how many and the first. */
                        if (c->s->n_malformed++ == 0)
                                snprintf(c->s->malformed_path, sizeof(c->s->malformed_path), "%s/%s/fdinfo/%s",
                                         c->p->proc_root, pid, de->d_name);
                        continue;
                }
                inode = fi.ino;
                if (!fi.has_ino) {
                        /* Before Linux 5.14 fdinfo had no ino: the fd's
                         * own inode is the buffer's. */
                        struct stat st;

                        if (fd_dir < 0) {
                                fd_dir = openat(pid_fd, "fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                                if (fd_dir < 0)
                                        return -errno;
                        }
                        if (fstatat(fd_dir, de->d_name, &st, 0) < 0) {
                                if (errno == ENOENT)
                                        continue;
                                return -errno;
                        }
                        inode = (uint64_t) st.st_ino;
                }
                r = add_fd(c, &fi, inode);
                if (r < 0)
                        return r;
        }
        if (errno != 0)
                return -errno;
        return 0;
}

int dbc_proc_cgroup_parse(const char *buf, size_t len, char **ret) {
        const char *p = buf, *end = buf + len;

        while (p < end) {
                const char *nl = memchr(p, '\n', (size_t) (end - p));
                const char *eol = nl ? nl : end;

                if (eol - p >= 3 && memcmp(p, "0::", 3) == 0 && eol - p > 3) {
                        char *s = strndup(p + 3, (size_t) (eol - p - 3));
                        if (!s)
                                return -ENOMEM;
                        *ret = s;
                        return 0;
                }
                p = eol + 1;
        }
        return -ENOENT;
}

/* comm and cgroup of a process that holds buffers. */
static int read_identity(struct ctx *c, int pid_fd, struct dbc_proc *proc) {
        int r;

        r = read_whole(c, pid_fd, "comm", true);
        if (r < 0)
                return r;
        while (r > 0 && c->buf[r - 1] == '\n')
                r--;
        proc->comm = strndup(c->buf, (size_t) r);
        if (!proc->comm)
                return -ENOMEM;

        r = read_whole(c, pid_fd, "cgroup", true);
        if (r < 0)
                return r;
        r = dbc_proc_cgroup_parse(c->buf, (size_t) r, &proc->cgroup);
        if (r == -ENOENT)
                proc->cgroup = NULL;    /* cgroup v1 only: no unified path */
        else if (r < 0)
                return r;
        return 0;
}

static int read_proc(struct ctx *c, const char *name, pid_t pid) {
        struct dbc_scan *s = c->s;
        _cleanup_close_ int pid_fd = -1;
        struct dbc_proc proc = { .pid = pid };
        int r;

        pid_fd = openat(c->proc_fd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (pid_fd < 0) {
                r = -errno;
                if (is_gone(r))
                        return 0;
                set_err(c, c->p->proc_root, name, NULL);
                return r;
        }
        s->n_scanned++;
        c->n_touched = 0;

        r = read_fds(c, pid_fd, name);
        if (r >= 0) {
                r = read_whole(c, pid_fd, "maps", false);
                if (r >= 0) {
                        r = dbc_maps_parse(c->buf, (size_t) r, add_map, c);
                        if (r == -EINVAL) {
                                set_err(c, c->p->proc_root, name, "maps");
                                r = -EBADMSG;
                        }
                }
        }
        if (r >= 0 && c->n_touched > 0)
                r = read_identity(c, pid_fd, &proc);

        if (r < 0) {
                free(proc.comm);
                free(proc.cgroup);
                undo_proc(c);
                if (is_gone(r))
                        return 0;
                if (is_denied(r)) {
                        s->n_denied++;
                        s->denied_errno = -r;
                        return 0;
                }
                if (r == -EBADMSG)
                        return -EINVAL;
                if (!c->err->path[0])
                        set_err(c, c->p->proc_root, name, NULL);
                return r;
        }
        if (c->n_touched == 0)
                return 0;
        if (grow((void **) &s->procs, &c->cap_procs, s->n_procs + 1, sizeof(*s->procs)) < 0) {
                free(proc.comm);
                free(proc.cgroup);
                return -ENOMEM;
        }
        s->procs[s->n_procs++] = proc;
        return 0;
}

static int cmp_pid(const void *a, const void *b) {
        pid_t x = *(const pid_t *) a, y = *(const pid_t *) b;
        return x < y ? -1 : x > y;
}

static int list_pids(struct ctx *c, pid_t **ret, size_t *ret_n) {
        _cleanup_closedir_ DIR *d = NULL;
        _cleanup_free_ pid_t *pids = NULL;
        size_t n = 0, cap = 0;
        struct dirent *de;
        int fd;

        fd = openat(c->proc_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        d = fdopendir(fd);
        if (!d) {
                int e = errno;
                close(fd);
                return -e;
        }
        while ((errno = 0, de = readdir(d))) {
                uint64_t v;

                if (dbc_parse_u64(de->d_name, &v) < 0 || v == 0 || v > INT32_MAX)
                        continue;
                if (grow((void **) &pids, &cap, n + 1, sizeof(*pids)) < 0)
                        return -ENOMEM;
                pids[n++] = (pid_t) v;
        }
        if (errno != 0)
                return -errno;
        if (n > 1)
                qsort(pids, n, sizeof(*pids), cmp_pid);
        *ret = TAKE_PTR(pids);
        *ret_n = n;
        return 0;
}

/* Charged cgroup ids -> paths: one walk of the tree, stopped once every
 * wanted id is found. */
struct id_walk {
        uint64_t *ids;
        char **paths;
        size_t n;
        size_t found;
};

static int cmp_u64(const void *a, const void *b) {
        uint64_t x = *(const uint64_t *) a, y = *(const uint64_t *) b;
        return x < y ? -1 : x > y;
}

static int id_walk_one(struct dbc_root *r, const char *path, int dirfd, void *userdata) {
        struct id_walk *w = userdata;
        struct stat st;
        uint64_t *hit;

        if (fstat(dirfd, &st) < 0)
                return 0;
        hit = bsearch(&(uint64_t) { (uint64_t) st.st_ino }, w->ids, w->n, sizeof(*w->ids), cmp_u64);
        if (hit && !w->paths[hit - w->ids]) {
                w->paths[hit - w->ids] = strdup(path);
                if (!w->paths[hit - w->ids])
                        return -ENOMEM;
                if (++w->found == w->n)
                        return -ECANCELED;      /* all found: stop */
        }
        return 0;
}

static int add_string(struct dbc_scan *s, char *str) {
        if (grow((void **) &s->strings, &s->cap_strings, s->n_strings + 1, sizeof(*s->strings)) < 0) {
                free(str);
                return -ENOMEM;
        }
        s->strings[s->n_strings++] = str;
        return 0;
}

static int resolve_charged(struct ctx *c) {
        struct dbc_scan *s = c->s;
        struct id_walk w = {};
        size_t cap = 0, u = 0;
        int r = 0;

        for (size_t i = 0; i < s->n_buffers; i++) {
                if (!s->buffers[i].has_charged)
                        continue;
                if (grow((void **) &w.ids, &cap, w.n + 1, sizeof(*w.ids)) < 0) {
                        free(w.ids);
                        return -ENOMEM;
                }
                w.ids[w.n++] = s->buffers[i].charged_cgroup_id;
        }
        if (w.n == 0)
                return 0;
        qsort(w.ids, w.n, sizeof(*w.ids), cmp_u64);
        for (size_t i = 0; i < w.n; i++)
                if (u == 0 || w.ids[u - 1] != w.ids[i])
                        w.ids[u++] = w.ids[i];
        w.n = u;
        w.paths = calloc(w.n, sizeof(*w.paths));
        if (!w.paths) {
                free(w.ids);
                return -ENOMEM;
        }
        if (c->p->cgroup_root) {
                r = dbc_cgroup_walk(c->p->cgroup_root, "/", id_walk_one, &w);
                /* An unreadable tree leaves ids unresolved, it does not fail
                 * the scan: the holders are the main answer. */
                if (r != -ENOMEM)
                        r = 0;
        }
        /* The paths now belong to the scan (add_string frees on failure). */
        for (size_t i = 0; i < w.n; i++) {
                if (!w.paths[i])
                        continue;
                if (r < 0)
                        free(w.paths[i]);
                else if (add_string(s, w.paths[i]) < 0)
                        r = -ENOMEM;
                if (r < 0)
                        w.paths[i] = NULL;
        }
        for (size_t i = 0; r >= 0 && i < s->n_buffers; i++) {
                struct dbc_buffer *b = &s->buffers[i];
                uint64_t *hit;

                if (!b->has_charged)
                        continue;
                hit = bsearch(&b->charged_cgroup_id, w.ids, w.n, sizeof(*w.ids), cmp_u64);
                b->charged_cgroup = hit ? w.paths[hit - w.ids] : NULL;
                if (!b->charged_cgroup)
                        s->n_unresolved++;
        }
        free(w.ids);
        free(w.paths);
        return r;
}

/* A buffer seen only in maps: /sys/kernel/dmabuf/buffers/INO, where it
 * still exists, knows its real size and exporter. */
static void fill_from_sysfs(struct ctx *c, struct dbc_buffer *b) {
        char path[PATH_MAX], val[256];
        uint64_t size;
        int r;

        if (!c->p->sysfs_root)
                return;
        snprintf(path, sizeof(path), "%s/kernel/dmabuf/buffers/%llu/size",
                 c->p->sysfs_root, (unsigned long long) b->inode);
        r = dbc_read_file_at(AT_FDCWD, path, val, sizeof(val));
        if (r < 0)
                return;
        while (r > 0 && val[r - 1] == '\n')
                val[--r] = '\0';
        if (dbc_parse_u64(val, &size) < 0)
                return;
        b->size = size;
        c->s->used_sysfs = true;
        snprintf(path, sizeof(path), "%s/kernel/dmabuf/buffers/%llu/exporter_name",
                 c->p->sysfs_root, (unsigned long long) b->inode);
        r = dbc_read_file_at(AT_FDCWD, path, val, sizeof(val));
        if (r < 0)
                return;
        while (r > 0 && val[r - 1] == '\n')
                r--;
        (void) set_exporter(c, b, val, (size_t) r);    /* out of memory: the name stays unknown */
}

static int cmp_buffer(const void *a, const void *b) {
        const struct dbc_buffer *x = a, *y = b;
        return x->inode < y->inode ? -1 : x->inode > y->inode;
}

static int cmp_strp(const void *a, const void *b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

static int cmp_use(const void *a, const void *b) {
        return strcmp(((const struct dbc_cgroup_use *) a)->cgroup, ((const struct dbc_cgroup_use *) b)->cgroup);
}

static struct dbc_cgroup_use *use_find(struct dbc_scan *s, const char *path) {
        struct dbc_cgroup_use key = { .cgroup = path };
        return path ? bsearch(&key, s->cgroups, s->n_cgroups, sizeof(key), cmp_use) : NULL;
}

static int aggregate(struct dbc_scan *s) {
        _cleanup_free_ const char **paths = NULL;
        size_t n = 0;

        /* Buffers whose only holder vanished were created for nothing. */
        size_t k = 0;
        for (size_t i = 0; i < s->n_buffers; i++) {
                if (s->buffers[i].n_holders == 0) {
                        free(s->buffers[i].name);
                        free(s->buffers[i].holders);
                        continue;
                }
                s->buffers[k++] = s->buffers[i];
        }
        s->n_buffers = k;
        if (s->n_buffers > 1)
                qsort(s->buffers, s->n_buffers, sizeof(*s->buffers), cmp_buffer);

        paths = calloc(s->n_procs + s->n_buffers + 1, sizeof(*paths));
        if (!paths)
                return -ENOMEM;
        for (size_t i = 0; i < s->n_procs; i++)
                if (s->procs[i].cgroup)
                        paths[n++] = s->procs[i].cgroup;
        for (size_t i = 0; i < s->n_buffers; i++)
                if (s->buffers[i].charged_cgroup)
                        paths[n++] = s->buffers[i].charged_cgroup;
        if (n > 1)
                qsort(paths, n, sizeof(*paths), cmp_strp);
        s->cgroups = calloc(n + 1, sizeof(*s->cgroups));
        if (!s->cgroups)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++)
                if (s->n_cgroups == 0 || !streq(s->cgroups[s->n_cgroups - 1].cgroup, paths[i]))
                        s->cgroups[s->n_cgroups++].cgroup = paths[i];

        for (size_t i = 0; i < s->n_buffers; i++) {
                struct dbc_buffer *b = &s->buffers[i];
                uint64_t share = b->size / b->n_holders;
                struct dbc_cgroup_use *u;

                for (size_t h = 0; h < b->n_holders; h++) {
                        struct dbc_proc *p = &s->procs[b->holders[h].proc];
                        bool again = false;

                        p->rss += b->size;
                        p->pss += share;
                        /* a cgroup counts a buffer once, however many of its processes hold it */
                        for (size_t e = 0; e < h && !again; e++) {
                                const char *o = s->procs[b->holders[e].proc].cgroup;
                                again = o && p->cgroup && streq(o, p->cgroup);
                        }
                        u = use_find(s, p->cgroup);
                        if (u && !again)
                                u->rss += b->size;
                        if (u)
                                u->pss += share;
                }
                u = use_find(s, b->charged_cgroup);
                if (u)
                        u->charged += b->size;
        }
        return 0;
}

int dbc_scan_run(const struct dbc_scan_params *params, struct dbc_scan **ret, struct dbc_scan_error *err) {
        _cleanup_free_ pid_t *pids = NULL;
        struct dbc_scan *s = NULL;
        struct ctx c = { .p = params, .err = err, .proc_fd = -1 };
        size_t n_pids = 0;
        int r;

        err->path[0] = '\0';
        s = calloc(1, sizeof(*s));
        c.cap_buf = 65536;
        c.buf = malloc(c.cap_buf);
        if (!s || !c.buf) {
                r = -ENOMEM;
                goto out;
        }
        c.s = s;

        c.proc_fd = open(params->proc_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (c.proc_fd < 0) {
                r = -errno;
                set_err(&c, params->proc_root, NULL, NULL);
                goto out;
        }
        r = list_pids(&c, &pids, &n_pids);
        if (r < 0) {
                set_err(&c, params->proc_root, NULL, NULL);
                goto out;
        }
        for (size_t i = 0; i < n_pids; i++) {
                char name[16];

                snprintf(name, sizeof(name), "%d", (int) pids[i]);
                r = read_proc(&c, name, pids[i]);
                if (r < 0)
                        goto out;
        }
        for (size_t i = 0; i < s->n_buffers; i++)
                if (!c.seen_fd[i] && s->buffers[i].n_holders > 0)
                        fill_from_sysfs(&c, &s->buffers[i]);

        r = resolve_charged(&c);
        if (r < 0)
                goto out;
        r = aggregate(s);
out:
        if (c.proc_fd >= 0)
                close(c.proc_fd);
        free(c.vals);
        free(c.touched);
        free(c.seen_fd);
        free(c.exporters);
        free(c.buf);
        if (r < 0) {
                dbc_scan_free(s);
                return r;
        }
        *ret = s;
        return 0;
}

void dbc_scan_free(struct dbc_scan *s) {
        if (!s)
                return;
        for (size_t i = 0; i < s->n_buffers; i++) {
                free(s->buffers[i].name);
                free(s->buffers[i].holders);
        }
        free(s->buffers);
        for (size_t i = 0; i < s->n_procs; i++) {
                free(s->procs[i].comm);
                free(s->procs[i].cgroup);
        }
        free(s->procs);
        free(s->cgroups);
        for (size_t i = 0; i < s->n_strings; i++)
                free(s->strings[i]);
        free(s->strings);
        free(s);
}
