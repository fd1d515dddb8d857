/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "config-internal.h"
#include "dmabufctl/cgroup.h"
#include "dmabufctl/escape.h"
#include "dmabufctl/size.h"
#include "dmabufctl/unit.h"

/* inih gives key/value splitting, trimming and ';' comments, but not line
 * numbers (INI_HANDLER_LINENO is a build-time choice Debian does not make)
 * and only the first error. So we hand it lines through our own reader: it
 * counts them, knows each section header (inih truncates section names and
 * calls no handler for an empty section), reports every malformed line and
 * passes inih an empty line instead. inih calls the handler for a key line
 * before it asks for the next line, so the reader's line number is the
 * handler's. Leading whitespace is stripped, which turns off inih's
 * multi-line values (a continuation would read as a duplicate key). */

/* Debian's libinih has run-time switches; with them a line may be longer
 * than the 200 bytes of inih's default buffer (a long protect list). */
#if HAVE_INI_RUNTIME_OPTIONS
#define MAX_LINE 65536
#endif

#define POLICY_NAME_MAX 64

enum section_kind {
        SEC_NONE,       /* before the first section */
        SEC_BAD,        /* an unknown or malformed one (already reported) */
        SEC_DAEMON,
        SEC_POLICY,
};

enum {
        DKEY_INTERVAL,
        DKEY_GRACE,
        DKEY_COOLDOWN,
        DKEY_METRICS_FILE,
        DKEY_METRICS_INTERVAL,
        DKEY_ALERT_HOOK,
        DKEY_PROTECT,
        DKEY_RUN_PARENT,
        _DKEY_MAX,
};

static const char *const daemon_keys[_DKEY_MAX] = {
        [DKEY_INTERVAL]     = "interval",
        [DKEY_GRACE]        = "grace",
        [DKEY_COOLDOWN]     = "cooldown",
        [DKEY_METRICS_FILE] = "metrics-file",
        [DKEY_METRICS_INTERVAL] = "metrics-interval",
        [DKEY_ALERT_HOOK]   = "alert-hook",
        [DKEY_PROTECT]      = "protect",
        [DKEY_RUN_PARENT]   = "run-parent",
};

static const char *const policy_keys[_PKEY_MAX] = {
        [PKEY_CGROUP]      = "cgroup",
        [PKEY_UNIT]        = "unit",
        [PKEY_MEMORY_MAX]  = "memory.max",
        [PKEY_MEMORY_HIGH] = "memory.high",
        [PKEY_DMABUF_WARN] = "dmabuf.warn",
        [PKEY_DMABUF_MAX]  = "dmabuf.max",
        [PKEY_ACTION]      = "action",
};

struct file_state {
        struct config_state *s;
        FILE *f;
        const char *file;
        unsigned file_index;
        int error;                      /* -ENOMEM: stop */

        char *raw;                      /* getline() buffer */
        size_t raw_size;
        char *out;                      /* the line inih gets, '\n' terminated */
        size_t out_size, len, pos;
        unsigned lineno;

        enum section_kind kind;
        size_t policy;
        char *section;                  /* name as written, for messages */
        /* Line where each key was first set in this file (0: not yet). */
        unsigned daemon_seen[_DKEY_MAX];
        unsigned (*policy_seen)[_PKEY_MAX];
        size_t n_policy_seen;
};

static int fs_diag(struct file_state *fs, const char *fmt, ...) _printf_(2, 3);
static int fs_diag(struct file_state *fs, const char *fmt, ...) {
        _cleanup_free_ char *m = NULL;
        va_list ap;
        int k;

        va_start(ap, fmt);
        k = vasprintf(&m, fmt, ap);
        va_end(ap);
        if (k < 0)
                return fs->error = -ENOMEM;
        k = diag_add(fs->s->diags, fs->file, fs->lineno, "%s", m);
        if (k < 0)
                fs->error = k;
        return k;
}

static bool is_blank(char c) {
        return isspace((unsigned char) c);
}

/* inih's rule for where a key ends: the first of chars, unless a ';'
 * comment (preceded by whitespace) comes first. */
static const char *find_chars_or_comment(const char *s, const char *chars) {
        bool was_space = false;

        for (; *s && !strchr(chars, *s); s++) {
                if (was_space && *s == ';')
                        break;
                was_space = is_blank(*s);
        }
        return s;
}

static bool policy_name_is_valid(const char *n) {
        size_t l = strlen(n);

        if (l == 0 || l > POLICY_NAME_MAX)
                return false;
        for (; *n; n++)
                if (!isalnum((unsigned char) *n) && !strchr("-_.@", *n))
                        return false;
        return true;
}

static int section_begin(struct file_state *fs, const char *name) {
        free(fs->section);
        fs->section = strdup(name);
        if (!fs->section)
                return fs->error = -ENOMEM;
        fs->kind = SEC_BAD;

        if (streq(name, "daemon")) {
                fs->kind = SEC_DAEMON;
                return 0;
        }
        if (!strneq(name, "policy:", 7))
                return fs_diag(fs, "unknown section [%s] (expected [daemon] or [policy:NAME])", name);
        if (!policy_name_is_valid(name + 7))
                return fs_diag(fs, "invalid policy name \"%s\" (1 to %d letters, digits, '-', '_', '.', '@')",
                               name + 7, POLICY_NAME_MAX);

        struct loc at = { fs->file, fs->file_index, fs->lineno };
        size_t i;
        int k = config_policy_get(fs->s, name + 7, &at, &i);
        if (k < 0)
                return fs->error = k;
        if (i >= fs->n_policy_seen) {
                size_t n = i + 16;
                void *p = reallocarray(fs->policy_seen, n, sizeof(*fs->policy_seen));
                if (!p)
                        return fs->error = -ENOMEM;
                fs->policy_seen = p;
                memset(fs->policy_seen + fs->n_policy_seen, 0,
                       (n - fs->n_policy_seen) * sizeof(*fs->policy_seen));
                fs->n_policy_seen = n;
        }
        fs->kind = SEC_POLICY;
        fs->policy = i;
        return 0;
}

/* A section header line, s past the leading whitespace. */
static int header_line(struct file_state *fs, char *s) {
        char *end = strchr(s, ']'), *name, *p;

        fs->kind = SEC_BAD;
        if (!end)
                return fs_diag(fs, "malformed section header (no closing ']')");
        for (p = end + 1; is_blank(*p); p++)
                ;
        if (*p && *p != ';' && *p != '#')
                return fs_diag(fs, "malformed section header (text after ']')");

        *end = '\0';
        for (name = s + 1; is_blank(*name); name++)
                ;
        for (p = end; p > name && is_blank(p[-1]); p--)
                p[-1] = '\0';
        return section_begin(fs, name);
}

static int out_set(struct file_state *fs, const char *s, size_t n) {
        if (n + 2 > fs->out_size) {
                char *p = realloc(fs->out, n + 2);
                if (!p)
                        return fs->error = -ENOMEM;
                fs->out = p;
                fs->out_size = n + 2;
        }
        memcpy(fs->out, s, n);
        fs->out[n] = '\n';
        fs->out[n + 1] = '\0';
        fs->len = n + 1;
        fs->pos = 0;
        return 0;
}

/* Read the next line into fs->out. Returns 1, 0 at the end, < 0 to stop. */
static int next_line(struct file_state *fs, size_t limit) {
        ssize_t n;
        char *s;
        size_t l;
        int k;

        errno = 0;
        n = getline(&fs->raw, &fs->raw_size, fs->f);
        if (n < 0) {
                if (ferror(fs->f)) {
                        char buf[96];
                        int e = errno ? errno : EIO;

                        fs->lineno = 0;
                        fs_diag(fs, "cannot read: %s", errno_describe(e, buf));
                }
                return 0;
        }
        fs->lineno++;
        s = fs->raw;
        l = (size_t) n;

        if (memchr(s, '\0', l)) {
                fs_diag(fs, "line contains a NUL byte");
                l = 0;
                goto out;
        }
        if (fs->lineno == 1 && l >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0)
                s += 3, l -= 3;
        while (l > 0 && (s[l - 1] == '\n' || s[l - 1] == '\r'))
                s[--l] = '\0';
        while (l > 0 && is_blank(*s))
                s++, l--;

        if (l + 2 > limit) {
                fs_diag(fs, "line too long (more than %zu bytes)", limit - 2);
                l = 0;
                goto out;
        }

        if (l == 0 || *s == ';' || *s == '#')
                ;
        else if (*s == '[') {
                _cleanup_free_ char *copy = strdup(s);
                if (!copy)
                        return fs->error = -ENOMEM;
                header_line(fs, copy);
                if (fs->error)
                        return fs->error;
                /* inih need not see it: we track sections ourselves. */
                l = 0;
        } else {
                const char *e = find_chars_or_comment(s, "=:");

                if (*e != '=' && *e != ':') {
                        fs_diag(fs, "malformed line (expected [SECTION], KEY = VALUE or a comment)");
                        l = 0;
                }
        }
out:
        if (fs->error)
                return fs->error;
        k = out_set(fs, s, l);
        return k < 0 ? k : 1;
}

static char *reader(char *str, int num, void *userdata) {
        struct file_state *fs = userdata;
        size_t n;

        if (fs->error || num < 2)
                return NULL;
        if (fs->pos >= fs->len) {
#if HAVE_INI_RUNTIME_OPTIONS
                size_t limit = MAX_LINE;
#else
                size_t limit = (size_t) num;
#endif
                if (next_line(fs, limit) <= 0)
                        return NULL;
        }
        n = fs->len - fs->pos;
        if (n > (size_t) num - 1)
                n = (size_t) num - 1;
        memcpy(str, fs->out + fs->pos, n);
        str[n] = '\0';
        fs->pos += n;
        return str;
}

static int key_index(const char *const *keys, size_t n, const char *name) {
        for (size_t i = 0; i < n; i++)
                if (streq(keys[i], name))
                        return (int) i;
        return -1;
}

static int size_value(struct file_state *fs, const char *key, const char *value, unsigned flags,
                      struct dbc_size *ret) {
        struct dbc_token bad;
        char why[128];

        if (dbc_size_parse_full(value, flags, ret, &bad) < 0) {
                _cleanup_free_ char *escaped = dbc_escape_text(value);

                return fs_diag(fs, "%s: invalid size \"%s\": %s (bytes, K, M, G, T, P, E, max%s)", key,
                               escaped ? escaped : "?", dbc_token_describe(value, &bad, why, sizeof(why)),
                               flags & DBC_SIZE_ALLOW_PERCENT ? " or N%" : ""), -EINVAL;
        }
        return 0;
}

static int duration_value(struct file_state *fs, const char *key, const char *value, uint64_t *ret) {
        struct dbc_token bad;
        char why[128];

        if (dbc_duration_parse_full(value, 0, ret, &bad) < 0) {
                _cleanup_free_ char *escaped = dbc_escape_text(value);

                return fs_diag(fs, "%s: invalid duration \"%s\": %s (numbers with us, ms, s, min, h)", key,
                               escaped ? escaped : "?", dbc_token_describe(value, &bad, why, sizeof(why))), -EINVAL;
        }
        return 0;
}

/* A cgroup path (glob allowed or not), normalised into *ret. */
static int cgroup_value(struct file_state *fs, const char *key, const char *value, bool glob, char **ret) {
        char *p;
        int k;

        if (!glob && strpbrk(value, "*?[")) {
                fs_diag(fs, "%s: a cgroup path, not a pattern: \"%s\"", key, value);
                return -EINVAL;
        }
        k = dbc_cgroup_path_normalize(value, &p);
        if (k == -ENOMEM)
                return fs->error = k;
        if (k == -EXDEV)
                return fs_diag(fs, "%s: \"%s\" leaves the root (\"..\")", key, value), -EINVAL;
        if (k < 0)
                return fs_diag(fs, "%s: invalid cgroup path \"%s\"", key, value), -EINVAL;
        *ret = p;
        return 0;
}

static int replace_str(struct file_state *fs, char **slot, const char *v) {
        char *p = strdup(v);

        if (!p)
                return fs->error = -ENOMEM;
        free(*slot);
        *slot = p;
        return 0;
}

static int protect_value(struct file_state *fs, const char *value) {
        struct dbc_config *c = fs->s->config;
        _cleanup_free_ char *copy = strdup(value);
        char **list = NULL, *save = NULL;
        size_t n = 0;
        bool bad = false;

        if (!copy)
                return fs->error = -ENOMEM;
        for (char *w = strtok_r(copy, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
                char *p, **l;

                if (cgroup_value(fs, "protect", w, true, &p) < 0) {
                        bad = true;
                        continue;
                }
                l = reallocarray(list, n + 1, sizeof(*list));
                if (!l) {
                        free(p);
                        fs->error = -ENOMEM;
                        break;
                }
                list = l;
                list[n++] = p;
        }
        if (bad || fs->error) {
                for (size_t i = 0; i < n; i++)
                        free(list[i]);
                free(list);
                return fs->error;
        }
        for (size_t i = 0; i < c->n_protect; i++)
                free(c->protect[i]);
        free(c->protect);
        c->protect = list;
        c->n_protect = n;
        return 0;
}

static int daemon_key(struct file_state *fs, int k, const char *key, const char *value) {
        struct dbc_config *c = fs->s->config;
        uint64_t v;
        char *p;

        switch (k) {
        case DKEY_INTERVAL:
                if (duration_value(fs, key, value, &v) < 0)
                        return 0;
                if (v == 0)
                        return fs_diag(fs, "%s: must be longer than 0", key);
                c->interval_ms = v;
                return 0;
        case DKEY_METRICS_INTERVAL:
                if (duration_value(fs, key, value, &v) < 0)
                        return 0;
                if (v == 0)
                        return fs_diag(fs, "%s: must be longer than 0", key);
                c->metrics_interval_ms = v;
                return 0;
        case DKEY_GRACE:
                if (duration_value(fs, key, value, &v) == 0)
                        c->grace_ms = v;
                return 0;
        case DKEY_COOLDOWN:
                if (duration_value(fs, key, value, &v) == 0)
                        c->cooldown_ms = v;
                return 0;
        case DKEY_METRICS_FILE:
        case DKEY_ALERT_HOOK:
                if (value[0] != '/')
                        return fs_diag(fs, "%s: not an absolute path \"%s\"", key, value);
                return replace_str(fs, k == DKEY_ALERT_HOOK ? &c->alert_hook : &c->metrics_file, value);
        case DKEY_PROTECT:
                return protect_value(fs, value);
        case DKEY_RUN_PARENT:
                if (cgroup_value(fs, key, value, false, &p) < 0)
                        return 0;
                free(c->run_parent);
                c->run_parent = p;
                return 0;
        }
        return 0;
}

static int policy_key(struct file_state *fs, int k, const char *key, const char *value) {
        struct config_state *s = fs->s;
        struct dbc_policy *p = &s->config->policies[fs->policy];
        struct policy_src *src = &s->src[fs->policy];
        unsigned *seen = fs->policy_seen[fs->policy];
        char *str;
        int a;

        switch (k) {
        case PKEY_CGROUP:
        case PKEY_UNIT: {
                int other = k == PKEY_CGROUP ? PKEY_UNIT : PKEY_CGROUP;

                src->target_tried = true;
                if (seen[other])
                        return fs_diag(fs, "policy %s: both cgroup and unit are set (%s at line %u); use one",
                                       p->name, policy_keys[other], seen[other]);
                if (k == PKEY_CGROUP) {
                        if (cgroup_value(fs, key, value, true, &str) < 0)
                                return 0;
                } else {
                        if (!dbc_unit_name_is_valid(value))
                                return fs_diag(fs, "unit: invalid unit name \"%s\" (NAME.service, NAME.scope or NAME.slice)",
                                               value);
                        str = strdup(value);
                        if (!str)
                                return fs->error = -ENOMEM;
                }
                /* A later file names the target anew: cgroup and unit are
                 * one setting in two spellings. */
                free(p->cgroup);
                free(p->unit);
                p->cgroup = p->unit = NULL;
                src->key[PKEY_CGROUP].line = src->key[PKEY_UNIT].line = 0;
                *(k == PKEY_CGROUP ? &p->cgroup : &p->unit) = str;
                break;
        }
        case PKEY_MEMORY_MAX:
        case PKEY_MEMORY_HIGH:
        case PKEY_DMABUF_WARN:
        case PKEY_DMABUF_MAX: {
                /* memory.max and memory.high also take a share of physical
                 * memory, resolved when the budget is written. */
                static const struct { size_t off, pm_off; unsigned bit, pct_bit; } f[] = {
                        [PKEY_MEMORY_MAX]  = { offsetof(struct dbc_policy, memory_max),
                                               offsetof(struct dbc_policy, memory_max_permyriad),
                                               DBC_POLICY_MEMORY_MAX, DBC_POLICY_MEMORY_MAX_PERCENT },
                        [PKEY_MEMORY_HIGH] = { offsetof(struct dbc_policy, memory_high),
                                               offsetof(struct dbc_policy, memory_high_permyriad),
                                               DBC_POLICY_MEMORY_HIGH, DBC_POLICY_MEMORY_HIGH_PERCENT },
                        [PKEY_DMABUF_WARN] = { offsetof(struct dbc_policy, dmabuf_warn), 0, DBC_POLICY_DMABUF_WARN, 0 },
                        [PKEY_DMABUF_MAX]  = { offsetof(struct dbc_policy, dmabuf_max),  0, DBC_POLICY_DMABUF_MAX, 0 },
                };
                struct dbc_size sz;

                if (size_value(fs, key, value, f[k].pct_bit ? DBC_SIZE_ALLOW_PERCENT : 0, &sz) < 0)
                        return 0;
                *(uint64_t *) ((char *) p + f[k].off) = sz.bytes;
                p->set |= f[k].bit;
                if (f[k].pct_bit) {
                        *(uint32_t *) ((char *) p + f[k].pm_off) = sz.permyriad;
                        if (sz.percent)
                                p->set |= f[k].pct_bit;
                        else
                                p->set &= ~f[k].pct_bit;
                }
                break;
        }
        case PKEY_ACTION:
                a = dbc_action_from_string(value);
                if (a < 0)
                        return fs_diag(fs, "action: invalid action \"%s\" (alert, freeze or kill)", value);
                p->action = (enum dbc_action) a;
                break;
        }
        src->key[k] = (struct loc) { fs->file, fs->file_index, fs->lineno };
        return 0;
}

static int handler(void *userdata, const char *section, const char *name, const char *value) {
        struct file_state *fs = userdata;
        unsigned *seen;
        const char *what;
        int k;

        if (fs->error)
                return 1;
        if (!*name) {
                fs_diag(fs, "malformed line (no key before '=')");
                return 1;
        }

        switch (fs->kind) {
        case SEC_NONE:
                fs_diag(fs, "key \"%s\" outside of any section", name);
                return 1;
        case SEC_BAD:
                return 1;
        case SEC_DAEMON:
                k = key_index(daemon_keys, _DKEY_MAX, name);
                seen = k >= 0 ? &fs->daemon_seen[k] : NULL;
                break;
        case SEC_POLICY:
                k = key_index(policy_keys, _PKEY_MAX, name);
                seen = k >= 0 ? &fs->policy_seen[fs->policy][k] : NULL;
                break;
        default:
                return 1;
        }
        what = fs->section;

        if (k < 0)
                fs_diag(fs, "unknown key \"%s\" in [%s]", name, what);
        else if (*seen)
                fs_diag(fs, "duplicate key \"%s\" in [%s], first at line %u", name, what, *seen);
        else {
                *seen = fs->lineno;
                if (!*value)
                        fs_diag(fs, "%s: empty value", name);
                else if (fs->kind == SEC_DAEMON)
                        daemon_key(fs, k, name, value);
                else
                        policy_key(fs, k, name, value);
        }
        return 1;
}

static bool has_diag_at(const struct dbc_diags *d, const char *file, unsigned line) {
        for (size_t i = d->n; i > 0; i--)
                if (d->items[i - 1].line == line && streq(d->items[i - 1].file, file))
                        return true;
        return false;
}

int config_parse_file(struct config_state *s, FILE *f, const char *file, unsigned file_index) {
        struct file_state fs = {
                .s = s,
                .f = f,
                .file = file,
                .file_index = file_index,
        };
        int k;

#if HAVE_INI_RUNTIME_OPTIONS
        ini_use_stack = false;
        ini_allow_realloc = true;
        ini_max_line = MAX_LINE;
#endif
        k = ini_parse_stream(reader, &fs, handler, &fs);
        if (k == -2 && !fs.error)
                fs.error = -ENOMEM;
        /* A line inih refused that we let through: report it too. */
        if (k > 0 && !fs.error && !has_diag_at(s->diags, file, (unsigned) k)) {
                fs.lineno = (unsigned) k;
                fs_diag(&fs, "malformed line");
        }

        free(fs.raw);
        free(fs.out);
        free(fs.section);
        free(fs.policy_seen);
        return fs.error;
}
