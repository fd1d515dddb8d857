/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "config-internal.h"
#include "dmabufctl/size.h"
#include "dmabufctl/unit.h"

static const char *const action_names[] = {
        [DBC_ACTION_ALERT]  = "alert",
        [DBC_ACTION_FREEZE] = "freeze",
        [DBC_ACTION_KILL]   = "kill",
};

const char *dbc_action_to_string(enum dbc_action a) {
        if ((size_t) a >= ELEMENTSOF(action_names))
                return NULL;
        return action_names[a];
}

int dbc_action_from_string(const char *s) {
        for (size_t i = 0; i < ELEMENTSOF(action_names); i++)
                if (streq(action_names[i], s))
                        return (int) i;
        return -EINVAL;
}

const char *errno_describe(int error, char buf[static 96]) {
        const char *name = strerrorname_np(error), *desc = strerrordesc_np(error);

        if (name && desc)
                snprintf(buf, 96, "%s (%s)", desc, name);
        else
                snprintf(buf, 96, "error %d", error);
        return buf;
}

void dbc_diags_clear(struct dbc_diags *d) {
        if (!d)
                return;
        for (size_t i = 0; i < d->n; i++) {
                free(d->items[i].file);
                free(d->items[i].message);
        }
        free(d->items);
        d->items = NULL;
        d->n = 0;
}

int diag_add(struct dbc_diags *d, const char *file, unsigned line, const char *fmt, ...) {
        struct dbc_diag *items, x = { .line = line };
        va_list ap;
        int k;

        va_start(ap, fmt);
        k = vasprintf(&x.message, fmt, ap);
        va_end(ap);
        if (k < 0)
                return -ENOMEM;
        x.file = strdup(file);
        items = reallocarray(d->items, d->n + 1, sizeof(*items));
        if (!x.file || !items) {
                free(x.file);
                free(x.message);
                if (items)
                        d->items = items;
                return -ENOMEM;
        }
        d->items = items;
        d->items[d->n++] = x;
        return 0;
}

static size_t file_rank(const char *file, char *const *files, size_t n_files) {
        for (size_t i = 0; i < n_files; i++)
                if (streq(files[i], file))
                        return i;
        return n_files;
}

/* Insertion sort: stable, and the list is nearly in order already (only
 * the checks across files come late). */
void diag_sort(struct dbc_diags *d, char *const *files, size_t n_files) {
        for (size_t i = 1; i < d->n; i++) {
                struct dbc_diag x = d->items[i];
                size_t rx = file_rank(x.file, files, n_files), j = i;

                while (j > 0) {
                        struct dbc_diag *y = &d->items[j - 1];
                        size_t ry = file_rank(y->file, files, n_files);

                        if (ry < rx || (ry == rx && y->line <= x.line))
                                break;
                        d->items[j] = *y;
                        j--;
                }
                d->items[j] = x;
        }
}

int dbc_config_new(struct dbc_config **ret) {
        struct dbc_config *c = calloc(1, sizeof(*c));

        if (!c)
                return -ENOMEM;
        c->interval_ms = 1000;
        c->grace_ms = 2000;
        c->cooldown_ms = 10000;
        c->metrics_file = strdup("/run/dmabufctl/metrics.prom");
        c->run_parent = strdup("/dmabufctl.slice");
        if (!c->metrics_file || !c->run_parent) {
                dbc_config_free(c);
                return -ENOMEM;
        }
        *ret = c;
        return 0;
}

static void policy_done(struct dbc_policy *p) {
        free(p->name);
        free(p->cgroup);
        free(p->unit);
        free(p->resolved);
        free(p->file);
}

void dbc_config_free(struct dbc_config *c) {
        if (!c)
                return;
        free(c->path);
        free(c->metrics_file);
        free(c->alert_hook);
        free(c->run_parent);
        for (size_t i = 0; i < c->n_protect; i++)
                free(c->protect[i]);
        free(c->protect);
        for (size_t i = 0; i < c->n_policies; i++)
                policy_done(&c->policies[i]);
        free(c->policies);
        free(c);
}

int config_policy_get(struct config_state *s, const char *name, const struct loc *at, size_t *ret) {
        struct dbc_config *c = s->config;
        struct dbc_policy *p;

        for (size_t i = 0; i < c->n_policies; i++)
                if (streq(c->policies[i].name, name)) {
                        *ret = i;
                        return 0;
                }

        if (c->n_policies == s->n_alloc) {
                size_t n = s->n_alloc ? s->n_alloc * 2 : 8;
                struct dbc_policy *ps = reallocarray(c->policies, n, sizeof(*ps));
                if (!ps)
                        return -ENOMEM;
                c->policies = ps;
                struct policy_src *src = reallocarray(s->src, n, sizeof(*src));
                if (!src)
                        return -ENOMEM;
                s->src = src;
                s->n_alloc = n;
        }
        p = &c->policies[c->n_policies];
        *p = (struct dbc_policy) {
                .memory_max = DBC_SIZE_MAX,
                .memory_high = DBC_SIZE_MAX,
                .dmabuf_warn = DBC_SIZE_MAX,
                .dmabuf_max = DBC_SIZE_MAX,
                .action = DBC_ACTION_ALERT,
                .line = at->line,
        };
        p->name = strdup(name);
        p->file = strdup(at->file);
        if (!p->name || !p->file) {
                policy_done(p);
                return -ENOMEM;
        }
        s->src[c->n_policies] = (struct policy_src) { .section = *at };
        *ret = c->n_policies++;
        return 0;
}

static int add_file(struct config_state *s, const char *path, unsigned *ret_index) {
        char **f = reallocarray(s->files, s->n_files + 1, sizeof(*f));

        if (!f)
                return -ENOMEM;
        s->files = f;
        f[s->n_files] = strdup(path);
        if (!f[s->n_files])
                return -ENOMEM;
        *ret_index = (unsigned) s->n_files++;
        return 0;
}

/* Read one file. missing_ok: ENOENT is no problem. is_dropin: a directory
 * in policies.d is skipped like any non-.conf entry. */
static int load_file(struct config_state *s, const char *path, bool missing_ok, bool is_dropin) {
        _cleanup_close_ int fd = -1;
        _cleanup_fclose_ FILE *f = NULL;
        struct stat st;
        unsigned idx;
        char buf[96];
        int k;

        k = add_file(s, path, &idx);
        if (k < 0)
                return k;

        /* O_NONBLOCK: a FIFO in place of a file must not hang us; it is
         * refused below as "not a regular file". */
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (fd < 0) {
                if (errno == ENOENT && missing_ok)
                        return 0;
                return diag_add(s->diags, path, 0, "cannot open: %s", errno_describe(errno, buf));
        }
        if (fstat(fd, &st) < 0)
                return diag_add(s->diags, path, 0, "cannot read: %s", errno_describe(errno, buf));
        if (S_ISDIR(st.st_mode))
                return is_dropin ? 0 : diag_add(s->diags, path, 0, "cannot read: %s", errno_describe(EISDIR, buf));
        /* A drop-in linked to /dev/null is masked, as systemd's are. */
        if (is_dropin && S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3))
                return 0;
        if (!S_ISREG(st.st_mode))
                return diag_add(s->diags, path, 0, "not a regular file");

        f = fdopen(fd, "re");
        if (!f)
                return -errno;
        TAKE_FD(fd);
        return config_parse_file(s, f, s->files[idx], idx);
}

static int cmp_str(const void *a, const void *b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

static bool is_dropin_name(const char *n) {
        size_t l = strlen(n);

        return n[0] != '.' && l > 5 && streq(n + l - 5, ".conf");
}

/* Every *.conf of dir, in lexical order; a missing dir is no problem. */
static int load_dropin_dir(struct config_state *s, const char *dir) {
        _cleanup_closedir_ DIR *d = NULL;
        char **names = NULL;
        size_t n = 0;
        char buf[96];
        int k = 0;

        d = opendir(dir);
        if (!d) {
                if (errno == ENOENT || errno == ENOTDIR)
                        return 0;
                return diag_add(s->diags, dir, 0, "cannot open: %s", errno_describe(errno, buf));
        }
        for (;;) {
                struct dirent *de;
                char **l;

                errno = 0;
                de = readdir(d);
                if (!de) {
                        if (errno)
                                k = diag_add(s->diags, dir, 0, "cannot read: %s", errno_describe(errno, buf));
                        break;
                }
                if (!is_dropin_name(de->d_name))
                        continue;
                l = reallocarray(names, n + 1, sizeof(*l));
                if (!l) {
                        k = -ENOMEM;
                        break;
                }
                names = l;
                if (asprintf(&names[n], "%s/%s", dir, de->d_name) < 0) {
                        k = -ENOMEM;
                        break;
                }
                n++;
        }
        if (k >= 0 && n > 0) {  /* qsort(NULL, 0) is undefined */
                qsort(names, n, sizeof(*names), cmp_str);
                for (size_t i = 0; i < n && k >= 0; i++)
                        k = load_file(s, names[i], true, true);
        }
        for (size_t i = 0; i < n; i++)
                free(names[i]);
        free(names);
        return k;
}

static int load_dropins(struct config_state *s, const char *main_path) {
        const char *slash = strrchr(main_path, '/');
        _cleanup_free_ char *dir = NULL;

        if (asprintf(&dir, "%.*spolicies.d", slash ? (int) (slash - main_path + 1) : 0, main_path) < 0)
                return -ENOMEM;
        return load_dropin_dir(s, dir);
}

static int diag_at(struct config_state *s, const struct loc *at, const char *fmt, ...) _printf_(3, 4);
static int diag_at(struct config_state *s, const struct loc *at, const char *fmt, ...) {
        _cleanup_free_ char *m = NULL;
        va_list ap;
        int k;

        va_start(ap, fmt);
        k = vasprintf(&m, fmt, ap);
        va_end(ap);
        if (k < 0)
                return -ENOMEM;
        return diag_add(s->diags, at->file, at->line, "%s", m);
}

static int check_limits(struct config_state *s, size_t i) {
        const struct dbc_policy *p = &s->config->policies[i];
        const struct policy_src *src = &s->src[i];
        char a[DBC_FORMAT_MAX], b[DBC_FORMAT_MAX];
        int k = 0;

        if (!p->cgroup && !p->unit && !src->target_tried)
                k = diag_at(s, &src->section, "policy %s: neither cgroup nor unit is set", p->name);
        if (k >= 0 && (p->set & DBC_POLICY_DMABUF_WARN) && (p->set & DBC_POLICY_DMABUF_MAX) &&
            p->dmabuf_warn > p->dmabuf_max)
                k = diag_at(s, &src->key[PKEY_DMABUF_WARN], "policy %s: dmabuf.warn (%s) is above dmabuf.max (%s)",
                            p->name, dbc_size_format(p->dmabuf_warn, a), dbc_size_format(p->dmabuf_max, b));
        if (k >= 0 && (p->set & DBC_POLICY_MEMORY_HIGH) && (p->set & DBC_POLICY_MEMORY_MAX) &&
            p->memory_high > p->memory_max)
                k = diag_at(s, &src->key[PKEY_MEMORY_HIGH], "policy %s: memory.high (%s) is above memory.max (%s)",
                            p->name, dbc_size_format(p->memory_high, a), dbc_size_format(p->memory_max, b));
        return k;
}

/* What a policy claims: its cgroup (path or glob, as normalised), its unit,
 * and for a slice unit also the path systemd's naming gives it. */
struct claim {
        const char *cgroup;
        const char *unit;
        char *slice_path;
};

static bool claims_overlap(const struct claim *a, const struct claim *b, const char **what) {
        if (a->cgroup && b->cgroup && streq(a->cgroup, b->cgroup))
                return (*what = a->cgroup), true;
        if (a->unit && b->unit && streq(a->unit, b->unit))
                return (*what = a->unit), true;
        if (a->slice_path && b->cgroup && streq(a->slice_path, b->cgroup))
                return (*what = b->cgroup), true;
        if (b->slice_path && a->cgroup && streq(b->slice_path, a->cgroup))
                return (*what = a->cgroup), true;
        return false;
}

static int check_claims(struct config_state *s) {
        const struct dbc_config *c = s->config;
        struct claim *cl = calloc(c->n_policies + 1, sizeof(*cl));
        int k = 0;

        if (!cl)
                return -ENOMEM;
        for (size_t i = 0; i < c->n_policies && k >= 0; i++) {
                const struct dbc_policy *p = &c->policies[i];

                cl[i].cgroup = p->cgroup;
                cl[i].unit = p->unit;
                if (p->unit && dbc_slice_to_cgroup(p->unit, &cl[i].slice_path) == -ENOMEM)
                        k = -ENOMEM;
        }
        for (size_t j = 1; j < c->n_policies && k >= 0; j++)
                for (size_t i = 0; i < j; i++) {
                        const struct loc *at = &s->src[j].key[c->policies[j].cgroup ? PKEY_CGROUP : PKEY_UNIT];
                        const struct loc *first = &s->src[i].key[c->policies[i].cgroup ? PKEY_CGROUP : PKEY_UNIT];
                        const char *what;

                        if (!claims_overlap(&cl[i], &cl[j], &what))
                                continue;
                        k = diag_at(s, at, "policy %s: %s is already claimed by policy %s at %s:%u",
                                    c->policies[j].name, what, c->policies[i].name, first->file, first->line);
                        break;
                }
        for (size_t i = 0; i < c->n_policies; i++)
                free(cl[i].slice_path);
        free(cl);
        return k;
}

int dbc_config_load(const char *path, bool must_exist, struct dbc_config **ret, struct dbc_diags *diags) {
        return dbc_config_load_runtime(path, must_exist, NULL, ret, diags);
}

int dbc_config_load_runtime(const char *path, bool must_exist, const char *runtime_dir,
                            struct dbc_config **ret, struct dbc_diags *diags) {
        struct dbc_config *c = NULL;
        struct config_state s = { .diags = diags };
        size_t n_before = diags->n;
        int k;

        k = dbc_config_new(&c);
        if (k < 0)
                return k;
        s.config = c;
        c->path = strdup(path);
        if (!c->path)
                k = -ENOMEM;

        if (k >= 0)
                k = load_file(&s, path, !must_exist, false);
        if (k >= 0)
                k = load_dropins(&s, path);
        if (k >= 0 && runtime_dir) {
                _cleanup_free_ char *dir = NULL;

                if (asprintf(&dir, "%s/policies.d", runtime_dir) < 0)
                        k = -ENOMEM;
                else
                        k = load_dropin_dir(&s, dir);
        }
        for (size_t i = 0; i < c->n_policies && k >= 0; i++)
                k = check_limits(&s, i);
        if (k >= 0)
                k = check_claims(&s);
        if (k >= 0 && diags->n > n_before) {
                struct dbc_diags mine = { diags->items + n_before, diags->n - n_before };

                diag_sort(&mine, s.files, s.n_files);
                k = -EINVAL;
        }

        for (size_t i = 0; i < s.n_files; i++)
                free(s.files[i]);
        free(s.files);
        free(s.src);
        if (k < 0) {
                dbc_config_free(c);
                return k;
        }
        *ret = c;
        return 0;
}
