/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <inttypes.h>
#include <libsmartcols/libsmartcols.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <wchar.h>
#include <wctype.h>

#include "dmabufctl/cgroup.h"
#include "dmabufctl/escape.h"
#include "dmabufctl/json.h"
#include "dmabufctl/macro.h"
#include "dmabufctl/size.h"
#include "dmabufctl/table.h"

#define strcaseeq(a, b) (strcasecmp((a), (b)) == 0)

void dbc_table_init(struct dbc_table *t, const struct dbc_table_column *columns, size_t n_columns) {
        *t = (struct dbc_table) { .columns = columns, .n_columns = n_columns };
}

void dbc_table_set_sub_columns(struct dbc_table *t, const struct dbc_table_column *columns, size_t n_columns) {
        t->sub_columns = columns;
        t->n_sub_columns = n_columns;
}

/* Free what the cell owns, and make it null. */
static void cell_clear(struct dbc_table *t, struct dbc_table_cell *c, size_t col) {
        if (c->owned && t->columns[col].type == DBC_TABLE_TABLE) {
                dbc_table_done(c->t);
                free(c->t);
        } else if (c->owned)
                free(c->s);
        *c = (struct dbc_table_cell) { .null = true };
}

void dbc_table_done(struct dbc_table *t) {
        for (size_t i = 0; i < t->n_rows * t->n_columns; i++)
                cell_clear(t, &t->cells[i], i % t->n_columns);
        free(t->cells);
        t->cells = NULL;
        t->n_rows = t->cap_rows = 0;
}

int dbc_table_reserve(struct dbc_table *t, size_t n_rows) {
        struct dbc_table_cell *c;

        if (n_rows <= t->cap_rows)
                return 0;
        c = realloc(t->cells, n_rows * t->n_columns * sizeof(*c));
        if (!c)
                return -ENOMEM;
        t->cells = c;
        t->cap_rows = n_rows;
        return 0;
}

int dbc_table_add_row(struct dbc_table *t) {
        if (t->n_rows == t->cap_rows && dbc_table_reserve(t, t->cap_rows ? t->cap_rows * 2 : 64) < 0)
                return -ENOMEM;
        for (size_t i = 0; i < t->n_columns; i++)
                t->cells[t->n_rows * t->n_columns + i] = (struct dbc_table_cell) { .null = true };
        return (int) t->n_rows++;
}

struct dbc_table_cell *dbc_table_cell(struct dbc_table *t, size_t row, size_t col) {
        return &t->cells[row * t->n_columns + col];
}

int dbc_table_set_string(struct dbc_table *t, size_t row, size_t col, const char *s) {
        struct dbc_table_cell *c = dbc_table_cell(t, row, col);
        char *d = NULL;

        if (s) {
                d = strdup(s);
                if (!d)
                        return -ENOMEM;
        }
        cell_clear(t, c, col);
        c->s = d;
        c->owned = true;
        c->null = !s;
        return 0;
}

void dbc_table_set_string_ref(struct dbc_table *t, size_t row, size_t col, const char *s) {
        struct dbc_table_cell *c = dbc_table_cell(t, row, col);

        cell_clear(t, c, col);
        c->s = (char *) s;
        c->null = !s;
}

void dbc_table_set_u64(struct dbc_table *t, size_t row, size_t col, uint64_t v) {
        struct dbc_table_cell *c = dbc_table_cell(t, row, col);

        cell_clear(t, c, col);
        c->u = v;
        c->null = false;
}

void dbc_table_set_delta(struct dbc_table *t, size_t row, size_t col, int64_t v) {
        struct dbc_table_cell *c = dbc_table_cell(t, row, col);

        cell_clear(t, c, col);
        c->d = v;
        c->null = false;
}

void dbc_table_set_table(struct dbc_table *t, size_t row, size_t col, struct dbc_table *sub) {
        struct dbc_table_cell *c = dbc_table_cell(t, row, col);

        cell_clear(t, c, col);
        c->t = sub;
        c->owned = true;
        c->null = !sub;
}

typedef int (*row_cmp_fn)(const struct dbc_table_cell *a, const struct dbc_table_cell *b);

static int row_cmp(const void *a, const void *b, void *userdata) {
        return (*(row_cmp_fn *) userdata)(a, b);
}

void dbc_table_sort(struct dbc_table *t, int (*cmp)(const struct dbc_table_cell *a, const struct dbc_table_cell *b)) {
        if (t->n_rows > 1)     /* qsort_r(NULL, 0) is undefined */
                qsort_r(t->cells, t->n_rows, t->n_columns * sizeof(struct dbc_table_cell), row_cmp, &cmp);
}

/* Screen columns of the character at s (at most n bytes); its length in
 * *len. A byte the locale cannot decode is a column of its own. */
static size_t char_width(const char *s, size_t n, mbstate_t *st, size_t *len) {
        wchar_t wc;
        size_t k = mbrtowc(&wc, s, n, st);
        int cw;

        if (k == 0 || k > n) {
                memset(st, 0, sizeof(*st));
                *len = 1;
                return 1;
        }
        *len = k;
        cw = wcwidth(wc);
        return cw > 0 ? (size_t) cw : 0;
}

/* Screen columns of an escaped (printable) string. */
static size_t text_width(const char *s) {
        size_t n = strlen(s), w = 0;
        mbstate_t st = {};

        for (size_t i = 0, k; i < n; i += k)
                w += char_width(s + i, n - i, &st, &k);
        return w;
}

/* The length of an escape sequence at s (CSI: ESC [ parameters
 * intermediates final byte, as libsmartcols writes colours), 0 when none
 * starts there. */
static size_t csi_len(const char *s, size_t n) {
        size_t i = 2;

        if (n < 2 || s[0] != '\033' || s[1] != '[')
                return 0;
        while (i < n && s[i] >= 0x20 && s[i] <= 0x3f)
                i++;
        return i < n && s[i] >= 0x40 && s[i] <= 0x7e ? i + 1 : 0;
}

size_t dbc_text_fit(const char *s, size_t len, size_t cols, bool *ret_cut) {
        size_t w = 0, i = 0;
        mbstate_t st = {};

        *ret_cut = false;
        while (i < len) {
                size_t k = csi_len(s + i, len - i), cw;

                if (k > 0) {
                        i += k;
                        continue;
                }
                cw = char_width(s + i, len - i, &st, &k);
                if (w + cw > cols) {
                        *ret_cut = true;
                        break;
                }
                w += cw;
                i += k;
        }
        return i;
}

/* A path cut to width columns from the left, keeping the leaf: "…/b/leaf".
 * The kept part starts at a '/' when the leaf fits at all. One pass: the
 * width of what is left is the whole width less what was walked (a deep
 * tree's paths are thousands of bytes, and top cuts every row each frame). */
static char *shorten_left(const char *s, size_t width) {
        const char *ellipsis = MB_CUR_MAX > 1 ? "…" : "...";
        size_t ew = MB_CUR_MAX > 1 ? 1 : 3, n = strlen(s), best = n, slash = n;
        size_t rest = text_width(s);
        mbstate_t st = {};
        char *out;

        /* Walk the character boundaries; keep the first (longest) suffix
         * that fits, and the first such suffix that starts at a '/'. */
        for (size_t i = 0, k; i < n; i += k) {
                size_t cw = char_width(s + i, n - i, &st, &k);

                if (rest + ew <= width) {
                        if (best == n)
                                best = i;
                        if (s[i] == '/') {
                                slash = i;
                                break;
                        }
                }
                rest -= cw;
        }
        if (slash < n)
                best = slash;           /* whole components: "…/b/leaf", at least "…/leaf" */
        if (asprintf(&out, "%s%s", ellipsis, s + best) < 0)
                return NULL;
        return out;
}

static char *cell_text(const struct dbc_table_column *col, const struct dbc_table_cell *c, bool bytes, bool raw) {
        char buf[DBC_FORMAT_MAX + 2];
        char *s;

        if (c->null)
                return strdup("-");
        switch (col->type) {
        case DBC_TABLE_STRING:
                /* The one escaping (escape.h), in every mode. Aligned:
                 * libsmartcols lays out only what the locale prints (it
                 * loops on a byte the locale cannot decode). Raw: the text
                 * form, which libsmartcols encodes byte by byte (see
                 * dbc_table_print_text()). */
                return dbc_escape(c->s, raw ? DBC_ESCAPE_TEXT : DBC_ESCAPE_TERMINAL);
        case DBC_TABLE_SIZE:
        case DBC_TABLE_LIMIT:
                if (col->type == DBC_TABLE_LIMIT && c->u == DBC_SIZE_MAX)
                        return strdup("max");
                if (bytes || c->u == DBC_SIZE_MAX) {
                        if (asprintf(&s, "%" PRIu64, c->u) < 0)
                                return NULL;
                        return s;
                }
                return strdup(dbc_size_format(c->u, buf));
        case DBC_TABLE_U64:
                if (asprintf(&s, "%" PRIu64, c->u) < 0)
                        return NULL;
                return s;
        case DBC_TABLE_DELTA: {
                uint64_t mag = c->d < 0 ? (uint64_t) -(c->d + 1) + 1 : (uint64_t) c->d;
                if (c->d == 0)
                        return strdup("0");
                if (bytes) {
                        if (asprintf(&s, "%c%" PRIu64, c->d < 0 ? '-' : '+', mag) < 0)
                                return NULL;
                        return s;
                }
                if (asprintf(&s, "%c%s", c->d < 0 ? '-' : '+', dbc_size_format(mag, buf)) < 0)
                        return NULL;
                return s;
        }
        case DBC_TABLE_TABLE:   /* laid out by dbc_table_print_text() */
                return strdup("");
        }
        return NULL;
}

/* A text column: a column of t, or (sub) of its nested tables. */
struct flat {
        const struct dbc_table_column *col;
        size_t index;
        bool sub;
        struct libscols_column *cl;
};

/* Is column c what name asks for (NULL: a default column)? */
static bool shown(const struct dbc_table_column *c, const char *name) {
        if (!c->name || c->type == DBC_TABLE_TABLE)
                return false;
        if (!name)
                return !(c->flags & DBC_COLUMN_HIDDEN);
        return strcaseeq(c->name, name);
}

static bool listed(const struct flat *out, size_t k, const struct dbc_table_column *c) {
        for (size_t i = 0; i < k; i++)
                if (out[i].col == c)
                        return true;
        return false;
}

/* Append the columns of t that name asks for; with unique, only those not
 * listed yet. Returns the new count. */
static size_t add_columns(const struct dbc_table *t, const char *name, bool unique, struct flat *out, size_t k) {
        for (size_t c = 0; c < t->n_columns; c++) {
                if (t->columns[c].type == DBC_TABLE_TABLE) {
                        for (size_t s = 0; s < t->n_sub_columns; s++)
                                if (shown(&t->sub_columns[s], name) && !(unique && listed(out, k, &t->sub_columns[s])))
                                        out[k++] = (struct flat) { &t->sub_columns[s], s, true, NULL };
                } else if (shown(&t->columns[c], name) && !(unique && listed(out, k, &t->columns[c])))
                        out[k++] = (struct flat) { &t->columns[c], c, false, NULL };
        }
        return k;
}

static size_t n_names(const struct dbc_table_text *o) {
        size_t n = 0;

        while (o->names && o->names[n])
                n++;
        return n;
}

/* The text columns of t in output order: the defaults unless names are
 * given, then the named ones (in add mode, those not shown already; else
 * each as often as it is named, as lsblk does). Returns how many; out holds
 * (n_names + 1) * (columns + sub-columns). */
static size_t flat_columns(const struct dbc_table *t, const struct dbc_table_text *o, struct flat *out) {
        size_t k = 0;

        if (!o->names || o->add_names)
                k = add_columns(t, NULL, false, out, k);
        for (size_t i = 0; o->names && o->names[i]; i++)
                k = add_columns(t, o->names[i], o->add_names, out, k);
        return k;
}

static const struct dbc_table *nested(const struct dbc_table *t, size_t r) {
        for (size_t c = 0; c < t->n_columns; c++)
                if (t->columns[c].type == DBC_TABLE_TABLE)
                        return t->cells[r * t->n_columns + c].t;
        return NULL;
}

static bool endswith_nl(const char *s) {
        size_t n = strlen(s);

        return n > 0 && s[n - 1] == '\n';
}

static const char *state_color(const char *s) {
        if (streq(s, "over"))
                return "red";
        if (streq(s, "warn"))
                return "yellow";
        return NULL;
}

static int fill_line(const struct dbc_table *t, const struct dbc_table_text *o, const struct flat *cols, size_t nc,
                     struct libscols_line *ln, size_t r, size_t l) {
        const struct dbc_table *sub = nested(t, r);

        for (size_t i = 0; i < nc; i++) {
                const struct dbc_table_cell *cell;
                char *text;

                if (!cols[i].sub)
                        cell = l == 0 ? &t->cells[r * t->n_columns + cols[i].index] : NULL;
                else
                        cell = sub && l < sub->n_rows ? &sub->cells[l * sub->n_columns + cols[i].index] : NULL;
                if (cell)
                        text = cell_text(cols[i].col, cell, o->bytes, o->raw);
                else
                        text = strdup(l == 0 ? "-" : "");
                if (!text)
                        return -ENOMEM;
                if (scols_line_refer_data(ln, i, text) < 0) {
                        free(text);
                        return -ENOMEM;
                }
                if (o->colors && cell && !cell->null && (cols[i].col->flags & DBC_COLUMN_STATE) && state_color(cell->s))
                        (void) scols_cell_set_color(scols_line_get_cell(ln, i), state_color(cell->s));
        }
        return 0;
}

/* Paths wider than what libsmartcols gave their column are cut from the
 * left. Returns how many cells changed, or -ENOMEM. */
static int shorten_paths(struct libscols_table *tb, const struct flat *cols, size_t nc) {
        int changed = 0;

        for (size_t i = 0; i < nc; i++) {
                size_t w = scols_column_get_width(cols[i].cl);

                if (!(cols[i].col->flags & DBC_COLUMN_PATH) || w == 0)
                        continue;
                for (size_t l = 0; l < scols_table_get_nlines(tb); l++) {
                        struct libscols_line *ln = scols_table_get_line(tb, l);
                        const char *d = scols_line_get_cell(ln, i) ? scols_cell_get_data(scols_line_get_cell(ln, i)) : NULL;
                        char *s;

                        if (!d || text_width(d) <= w)
                                continue;
                        s = shorten_left(d, w);
                        if (!s || scols_line_refer_data(ln, i, s) < 0) {
                                free(s);
                                return -ENOMEM;
                        }
                        changed++;
                }
                /* cut to the width it was given: it must not give way again */
                (void) scols_column_set_flags(cols[i].cl, scols_column_get_flags(cols[i].cl) & ~SCOLS_FL_TRUNC);
        }
        return changed;
}

int dbc_table_print_text(const struct dbc_table *t, FILE *f, const struct dbc_table_text *o) {
        struct libscols_table *tb = NULL;
        _cleanup_free_ struct flat *cols = NULL;
        _cleanup_free_ char *out = NULL;
        size_t nc, n_sub_shown = 0;
        int r = -ENOMEM;

        cols = calloc((n_names(o) + 1) * (t->n_columns + t->n_sub_columns) + 1, sizeof(*cols));
        if (!cols)
                return -ENOMEM;
        nc = flat_columns(t, o, cols);
        if (nc == 0)
                return 0;

        tb = scols_new_table();
        if (!tb)
                return -ENOMEM;
        scols_table_enable_noheadings(tb, o->noheadings);
        scols_table_enable_raw(tb, o->raw);
        /* cell_text() already escaped every cell and keeps a backslash
         * one: libsmartcols' own encoding stays off. Raw text is for
         * scripts: there libsmartcols escapes blanks, backslashes and every
         * byte outside printable ASCII on top (whatever this setting), as
         * util-linux tools do, so a cell is one word that decodes to the
         * text form of the name (a control character stays escaped). */
        scols_table_enable_noencoding(tb, true);
        scols_table_enable_colors(tb, o->colors);
        if (o->width > 0 && !o->raw) {
                scols_table_set_termforce(tb, SCOLS_TERMFORCE_ALWAYS);
                scols_table_set_termwidth(tb, o->width);
        } else
                scols_table_set_termforce(tb, SCOLS_TERMFORCE_NEVER);

        for (size_t i = 0; i < nc; i++) {
                const struct dbc_table_column *c = cols[i].col;
                bool string = c->type == DBC_TABLE_STRING;
                _cleanup_free_ char *header = NULL;

                if (o->marked && strcaseeq(o->marked, c->name) &&
                    asprintf(&header, "%s%s", c->name, o->mark ? o->mark : "") < 0)
                        goto out;
                /* Paths and free text give way on a narrow terminal; figures,
                 * states and keys never do. Free text gives way first, down
                 * to a quarter of the width (libsmartcols' relative hint),
                 * so that a path keeps its leaf. */
                cols[i].cl = scols_table_new_column(tb, header ? header : c->name,
                                                    c->flags & DBC_COLUMN_TRUNC ? 0.25 : 0,
                                                    !string ? SCOLS_FL_RIGHT :
                                                    c->flags & (DBC_COLUMN_PATH | DBC_COLUMN_TRUNC) ? SCOLS_FL_TRUNC : 0);
                if (!cols[i].cl)
                        goto out;
                if (o->colors && header)
                        (void) scols_cell_set_color(scols_column_get_header(cols[i].cl), "bold");
                n_sub_shown += cols[i].sub;
        }

        for (size_t row = 0; row < t->n_rows; row++) {
                const struct dbc_table *sub = n_sub_shown ? nested(t, row) : NULL;
                size_t lines = sub && sub->n_rows > 1 ? sub->n_rows : 1;

                for (size_t l = 0; l < lines; l++) {
                        struct libscols_line *ln = scols_table_new_line(tb, NULL);

                        if (!ln || fill_line(t, o, cols, nc, ln, row, l) < 0)
                                goto out;
                }
        }

        /* Lay out once; when a path is wider than its column, cut it from
         * the left (libsmartcols cuts from the right) and lay out again. */
        if (scols_print_table_to_string(tb, &out) < 0)
                goto out;
        r = 0;
        /* A shorter path may change how libsmartcols shares the width out:
         * again until every path fits its column (a few rounds at most). */
        for (unsigned round = 0; o->width > 0 && !o->raw && round < 4; round++) {
                r = shorten_paths(tb, cols, nc);
                if (r <= 0)
                        break;
                free(TAKE_PTR(out));
                if (scols_print_table_to_string(tb, &out) < 0) {
                        r = -ENOMEM;
                        goto out;
                }
        }
        if (r < 0)
                goto out;
        /* scols_print_table_to_string() leaves out the last newline */
        r = fprintf(f, "%s%s", out, *out && !endswith_nl(out) ? "\n" : "") < 0 ? -EIO : 1;
out:
        scols_unref_table(tb);
        return r;
}

void dbc_table_print_json_value(const struct dbc_table *t, struct dbc_json *j) {
        dbc_json_begin_array(j);
        for (size_t r = 0; r < t->n_rows; r++) {
                dbc_json_begin_object(j);
                for (size_t c = 0; c < t->n_columns; c++) {
                        const struct dbc_table_column *col = &t->columns[c];
                        const struct dbc_table_cell *cell = &t->cells[r * t->n_columns + c];

                        if (!col->json_key)
                                continue;
                        dbc_json_key(j, col->json_key);
                        if (cell->null || (col->type == DBC_TABLE_LIMIT && cell->u == DBC_SIZE_MAX))
                                dbc_json_null(j);
                        else if (col->type == DBC_TABLE_STRING)
                                dbc_json_string(j, cell->s);
                        else if (col->type == DBC_TABLE_DELTA)
                                dbc_json_i64(j, cell->d);
                        else if (col->type == DBC_TABLE_TABLE)
                                dbc_table_print_json_value(cell->t, j);
                        else
                                dbc_json_u64(j, cell->u);
                }
                dbc_json_end_object(j);
        }
        dbc_json_end_array(j);
}

void dbc_table_print_json(const struct dbc_table *t, FILE *f) {
        struct dbc_json j;

        dbc_json_init(&j, f);
        dbc_table_print_json_value(t, &j);
}

void dbc_output_free(char **names) {
        size_t n = 0;

        while (names && names[n])
                n++;
        dbc_strv_free(names, n);
}

static const char *column_lookup(const struct dbc_column_set *sets, size_t n_sets, const char *name, size_t len) {
        for (size_t s = 0; s < n_sets; s++)
                for (size_t c = 0; c < sets[s].n; c++) {
                        const struct dbc_table_column *col = &sets[s].columns[c];

                        if (col->name && col->help && strlen(col->name) == len && strncasecmp(col->name, name, len) == 0)
                                return col->name;
                }
        return NULL;
}

int dbc_output_parse(const char *list, const struct dbc_column_set *sets, size_t n_sets, char ***ret,
                     bool *ret_add, char **ret_bad) {
        size_t n = 1;
        char **v;

        /* "+COL,...": added to the default columns, as lsblk takes it */
        *ret_add = list[0] == '+';
        list += *ret_add;

        for (const char *p = list; *p; p++)
                n += *p == ',';
        v = calloc(n + 1, sizeof(char *));
        if (!v)
                return -ENOMEM;
        n = 0;
        for (const char *p = list;; p++) {
                size_t len = strcspn(p, ",");
                const char *name = column_lookup(sets, n_sets, p, len);

                if (!name) {
                        dbc_output_free(v);
                        *ret_bad = strndup(p, len);
                        return *ret_bad ? -EINVAL : -ENOMEM;
                }
                if (!(v[n++] = strdup(name))) {
                        dbc_output_free(v);
                        return -ENOMEM;
                }
                p += len;
                if (!*p)
                        break;
        }
        *ret = v;
        return 0;
}

void dbc_output_help(FILE *f, const struct dbc_column_set *sets, size_t n_sets) {
        fputs("Available output columns:\n", f);
        for (size_t s = 0; s < n_sets; s++)
                for (size_t c = 0; c < sets[s].n; c++) {
                        const struct dbc_table_column *col = &sets[s].columns[c];

                        if (!col->name || !col->help)
                                continue;
                        /* once: the first set that names it says what it is */
                        if (column_lookup(sets, s, col->name, strlen(col->name)) ||
                            column_lookup(&(struct dbc_column_set) { sets[s].columns, c }, 1, col->name, strlen(col->name)))
                                continue;
                        fprintf(f, "%10s  %s%s\n", col->name, col->help,
                                col->flags & DBC_COLUMN_HIDDEN ? " (not shown by default)" : "");
                }
}

void dbc_table_text_terminal(struct dbc_table_text *o, int fd) {
        const char *cols = getenv("COLUMNS"), *term = getenv("TERM"), *nc = getenv("NO_COLOR");
        struct winsize ws;
        uint64_t v;
        bool tty = isatty(fd);

        /* Cut on a terminal only: a pipe (grep) gets whole paths whatever
         * $COLUMNS says, as DESIGN.md has it. */
        o->width = 0;
        if (tty && cols && *cols && dbc_parse_u64(cols, &v) == 0 && v > 0 && v < 100000)
                o->width = (size_t) v;
        else if (tty && ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
                o->width = ws.ws_col;
        /* no TERM is a dumb terminal, as systemd takes it */
        o->colors = tty && term && *term && !streq(term, "dumb") && !(nc && *nc);
}
