/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config-internal.h"
#include "dmabufctl/size.h"
#include "dmabufctl/unit.h"

static const char *const action_names[] = {
        [DBC_ACTION_ALERT]  = "alert",
        [DBC_ACTION_FREEZE] = "freeze",
        [DBC_ACTION_KILL]   = "kill",
};

uint64_t dbc_policy_limit(const struct dbc_policy *p, enum dbc_limit l, uint64_t physical) {
        bool max = l == DBC_LIMIT_MEMORY_MAX;
        struct dbc_size sz = {
                .bytes = max ? p->memory_max : p->memory_high,
                .permyriad = max ? p->memory_max_permyriad : p->memory_high_permyriad,
                .percent = p->set & (max ? DBC_POLICY_MEMORY_MAX_PERCENT : DBC_POLICY_MEMORY_HIGH_PERCENT),
        };

        return dbc_size_resolve(&sz, physical);
}

bool dbc_config_uses_percent(const struct dbc_config *c) {
        for (size_t i = 0; i < c->n_policies; i++)
                if (c->policies[i].set & (DBC_POLICY_MEMORY_MAX_PERCENT | DBC_POLICY_MEMORY_HIGH_PERCENT))
                        return true;
        return false;
}

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
        c->hook_fd = -1;
        c->interval_ms = 1000;
        c->grace_ms = 2000;
        c->cooldown_ms = 10000;
        c->metrics_interval_ms = 15000;
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
        for (size_t i = 0; i < c->n_files; i++)
                free(c->files[i]);
        free(c->files);
        if (c->hook_fd >= 0)
                close(c->hook_fd);
        free(c->metrics_file);
        free(c->alert_hook);
        free(c->run_parent);
        for (size_t i = 0; i < c->n_protect; i++)
                free(c->protect[i]);
        free(c->protect);
        for (size_t i = 0; i < c->n_policies; i++)
                policy_done(&c->policies[i]);
        free(c->policies);
        for (size_t i = 0; i < c->n_notes; i++)
                free(c->notes[i]);
        free(c->notes);
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

/* "448M", or "50%" as given. */
static const char *policy_limit_text(const struct dbc_policy *p, enum dbc_limit l, char buf[static DBC_FORMAT_MAX]) {
        bool max = l == DBC_LIMIT_MEMORY_MAX;
        uint32_t pm = max ? p->memory_max_permyriad : p->memory_high_permyriad;

        if (!(p->set & (max ? DBC_POLICY_MEMORY_MAX_PERCENT : DBC_POLICY_MEMORY_HIGH_PERCENT)))
                return dbc_size_format(max ? p->memory_max : p->memory_high, buf);
        return dbc_percent_format(pm, buf);
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
        /* Sizes in bytes compare here; a percentage only with another one. */
        if (k >= 0 && (p->set & DBC_POLICY_MEMORY_HIGH) && (p->set & DBC_POLICY_MEMORY_MAX) &&
            !!(p->set & DBC_POLICY_MEMORY_HIGH_PERCENT) == !!(p->set & DBC_POLICY_MEMORY_MAX_PERCENT) &&
            (p->set & DBC_POLICY_MEMORY_MAX_PERCENT ? p->memory_high_permyriad > p->memory_max_permyriad
                                                    : p->memory_high > p->memory_max))
                k = diag_at(s, &src->key[PKEY_MEMORY_HIGH], "policy %s: memory.high (%s) is above memory.max (%s)",
                            p->name, policy_limit_text(p, DBC_LIMIT_MEMORY_HIGH, a),
                            policy_limit_text(p, DBC_LIMIT_MEMORY_MAX, b));
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

static bool in_dir(const char *file, const char *dir) {
        size_t n = dir ? strlen(dir) : 0;

        return n > 0 && strneq(file, dir, n) && file[n] == '/';
}

static int add_note(struct dbc_config *c, char *note) {
        char **l;

        if (!note)
                return -ENOMEM;
        l = realloc(c->notes, (c->n_notes + 1) * sizeof(*l));
        if (!l) {
                free(note);
                return -ENOMEM;
        }
        c->notes = l;
        c->notes[c->n_notes++] = note;
        return 0;
}

/* Two policies claim one cgroup: an error, unless the later one is a
 * runtime drop-in of `dmabufctl run` (runtime_dir): that one is dropped
 * with a note naming both, and the configured policy stays. */
static int check_claims(struct config_state *s, const char *runtime_dir) {
        struct dbc_config *c = s->config;
        struct claim *cl = calloc(c->n_policies + 1, sizeof(*cl));
        bool *dropped = calloc(c->n_policies + 1, sizeof(*dropped));
        int k = 0;

        if (!cl || !dropped) {
                free(cl);
                free(dropped);
                return -ENOMEM;
        }
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
                        char *note = NULL;

                        if (dropped[i] || !claims_overlap(&cl[i], &cl[j], &what))
                                continue;
                        if (!in_dir(at->file, runtime_dir)) {
                                k = diag_at(s, at, "policy %s: %s is already claimed by policy %s at %s:%u",
                                            c->policies[j].name, what, c->policies[i].name, first->file, first->line);
                                break;
                        }
                        if (asprintf(&note, "%s:%u: runtime policy %s ignored: %s is already claimed by policy %s at %s:%u",
                                     at->file, at->line, c->policies[j].name, what, c->policies[i].name, first->file,
                                     first->line) < 0)
                                note = NULL;
                        k = add_note(c, note);
                        dropped[j] = true;
                        break;
                }
        /* Keep what is not dropped, in order (src goes with its policy). */
        size_t n = 0;
        for (size_t i = 0; i < c->n_policies; i++) {
                free(cl[i].slice_path);
                if (dropped[i]) {
                        policy_done(&c->policies[i]);
                        continue;
                }
                c->policies[n] = c->policies[i];
                s->src[n] = s->src[i];
                n++;
        }
        c->n_policies = n;
        free(cl);
        free(dropped);
        return k;
}

int dbc_config_load(const char *path, bool must_exist, struct dbc_config **ret, struct dbc_diags *diags) {
        struct dbc_config_source src = { .path = path, .must_exist = must_exist };

        return dbc_config_load_from(&src, ret, diags);
}

int dbc_config_load_from(const struct dbc_config_source *src, struct dbc_config **ret, struct dbc_diags *diags) {
        struct dbc_config *c = NULL;
        struct config_state s = { .diags = diags, .trust = src->trust };
        size_t n_before = diags->n;
        int k;

        k = dbc_config_new(&c);
        if (k < 0)
                return k;
        s.config = c;
        c->path = src->path ? strdup(src->path) : NULL;
        if (src->path && !c->path)
                k = -ENOMEM;

        if (k >= 0)
                k = config_read_files(&s, src);
        for (size_t i = 0; i < c->n_policies && k >= 0; i++)
                k = check_limits(&s, i);
        if (k >= 0) {
                /* Runtime drop-ins (dmabufctl run's) only in the layered
                 * configuration: a collision with one is a note. */
                _cleanup_free_ char *rdir = NULL;
                struct dbc_config_dirs dirs = src->dirs;

                if (!src->path && !dirs.vendor && !dirs.admin && !dirs.runtime)
                        dbc_config_dirs_default(&dirs);
                if (!src->path && dirs.runtime && asprintf(&rdir, "%s/policies.d", dirs.runtime) < 0)
                        k = -ENOMEM;
                else
                        k = check_claims(&s, rdir);
        }
        if (k >= 0 && diags->n == n_before)
                k = config_open_hook(&s);
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
