/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "dmabufctl/escape.h"
#include "dmabufctl/json.h"
#include "dmabufctl/size.h"
#include "table.h"

void table_init(struct table *t, const struct table_column *columns, size_t n_columns) {
        *t = (struct table) { .columns = columns, .n_columns = n_columns };
}

void table_set_sub_columns(struct table *t, const struct table_column *columns, size_t n_columns) {
        t->sub_columns = columns;
        t->n_sub_columns = n_columns;
}

void table_done(struct table *t) {
        for (size_t i = 0; i < t->n_rows * t->n_columns; i++) {
                free(t->cells[i].s);
                if (t->cells[i].t) {
                        table_done(t->cells[i].t);
                        free(t->cells[i].t);
                }
        }
        free(t->cells);
        t->cells = NULL;
        t->n_rows = t->cap_rows = 0;
}

int table_reserve(struct table *t, size_t n_rows) {
        struct table_cell *c;

        if (n_rows <= t->cap_rows)
                return 0;
        c = realloc(t->cells, n_rows * t->n_columns * sizeof(*c));
        if (!c)
                return -ENOMEM;
        t->cells = c;
        t->cap_rows = n_rows;
        return 0;
}

int table_add_row(struct table *t) {
        if (t->n_rows == t->cap_rows && table_reserve(t, t->cap_rows ? t->cap_rows * 2 : 64) < 0)
                return -ENOMEM;
        for (size_t i = 0; i < t->n_columns; i++)
                t->cells[t->n_rows * t->n_columns + i] = (struct table_cell) { .null = true };
        return (int) t->n_rows++;
}

struct table_cell *table_cell(struct table *t, size_t row, size_t col) {
        return &t->cells[row * t->n_columns + col];
}

int table_set_string(struct table *t, size_t row, size_t col, const char *s) {
        struct table_cell *c = table_cell(t, row, col);
        char *d = NULL;

        if (s) {
                d = strdup(s);
                if (!d)
                        return -ENOMEM;
        }
        free(c->s);
        c->s = d;
        c->null = !s;
        return 0;
}

void table_set_u64(struct table *t, size_t row, size_t col, uint64_t v) {
        struct table_cell *c = table_cell(t, row, col);

        c->u = v;
        c->null = false;
}

void table_set_delta(struct table *t, size_t row, size_t col, int64_t v) {
        struct table_cell *c = table_cell(t, row, col);

        c->d = v;
        c->null = false;
}

void table_set_table(struct table *t, size_t row, size_t col, struct table *sub) {
        struct table_cell *c = table_cell(t, row, col);

        if (c->t) {
                table_done(c->t);
                free(c->t);
        }
        c->t = sub;
        c->null = !sub;
}

typedef int (*row_cmp_fn)(const struct table_cell *a, const struct table_cell *b);

static int row_cmp(const void *a, const void *b, void *userdata) {
        return (*(row_cmp_fn *) userdata)(a, b);
}

void table_sort(struct table *t, int (*cmp)(const struct table_cell *a, const struct table_cell *b)) {
        if (t->n_rows > 1)     /* qsort_r(NULL, 0) is undefined */
                qsort_r(t->cells, t->n_rows, t->n_columns * sizeof(struct table_cell), row_cmp, &cmp);
}

/* Columns on screen: UTF-8 continuation bytes take no column. */
static size_t text_width(const char *s) {
        size_t w = 0;

        for (const unsigned char *p = (const unsigned char *) s; *p; p++)
                if ((*p & 0xc0) != 0x80)
                        w++;
        return w;
}

static char *cell_text(const struct table_column *col, const struct table_cell *c, bool bytes) {
        char buf[DBC_FORMAT_MAX + 2];
        char *s;

        if (c->null)
                return strdup("-");
        switch (col->type) {
        case TABLE_STRING:
                return dbc_escape_text(c->s);
        case TABLE_SIZE:
        case TABLE_LIMIT:
                if (col->type == TABLE_LIMIT && c->u == DBC_SIZE_MAX)
                        return strdup("max");
                if (bytes || c->u == DBC_SIZE_MAX) {
                        if (asprintf(&s, "%" PRIu64, c->u) < 0)
                                return NULL;
                        return s;
                }
                return strdup(dbc_size_format(c->u, buf));
        case TABLE_U64:
                if (asprintf(&s, "%" PRIu64, c->u) < 0)
                        return NULL;
                return s;
        case TABLE_DELTA: {
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
        case TABLE_TABLE:       /* laid out by table_print_text() */
                return strdup("");
        }
        return NULL;
}

/* The text columns of t, nested tables' columns in place of theirs. */
static size_t flat_columns(const struct table *t, const struct table_column **out) {
        const struct table_column *cols = t->columns;
        size_t k = 0;

        for (size_t c = 0; c < t->n_columns; c++) {
                if (!cols[c].header)
                        continue;
                if (cols[c].type == TABLE_TABLE) {
                        for (size_t s = 0; s < t->n_sub_columns; s++)
                                if (t->sub_columns[s].header) {
                                        if (out)
                                                out[k] = &t->sub_columns[s];
                                        k++;
                                }
                } else {
                        if (out)
                                out[k] = &cols[c];
                        k++;
                }
        }
        return k;
}

/* Lines row r takes in text. */
static size_t row_lines(const struct table *t, size_t r) {
        size_t n = 1;

        for (size_t c = 0; c < t->n_columns; c++) {
                const struct table_cell *cell = &t->cells[r * t->n_columns + c];
                if (t->columns[c].type == TABLE_TABLE && cell->t && cell->t->n_rows > n)
                        n = cell->t->n_rows;
        }
        return n;
}

/* Fill line l of row r into out[] (flat columns); NULL where blank. */
static void row_line_text(const struct table *t, size_t r, size_t l, bool bytes, char **out) {
        size_t k = 0;

        for (size_t c = 0; c < t->n_columns; c++) {
                const struct table_column *col = &t->columns[c];
                const struct table_cell *cell = &t->cells[r * t->n_columns + c];

                if (!col->header)
                        continue;
                if (col->type != TABLE_TABLE) {
                        out[k++] = l == 0 ? cell_text(col, cell, bytes) : strdup("");
                        continue;
                }
                for (size_t s = 0; s < t->n_sub_columns; s++) {
                        const struct table *sub = cell->t;

                        if (!t->sub_columns[s].header)
                                continue;
                        if (sub && l < sub->n_rows)
                                out[k] = cell_text(&t->sub_columns[s], &sub->cells[l * sub->n_columns + s], bytes);
                        else
                                out[k] = strdup(l == 0 ? "-" : "");
                        k++;
                }
        }
}

int table_print_text(const struct table *t, FILE *f, bool bytes) {
        int ret = -ENOMEM;
        size_t nc = flat_columns(t, NULL), nl = 1;
        const struct table_column **cols = calloc(nc + 1, sizeof(*cols));
        char **txt = NULL;
        size_t *w = calloc(nc + 1, sizeof(size_t));

        for (size_t r = 0; r < t->n_rows; r++)
                nl += row_lines(t, r);
        txt = calloc(nl * nc + 1, sizeof(char *));
        if (!txt || !w || !cols)
                goto out;
        ret = 0;
        flat_columns(t, cols);
        for (size_t c = 0; c < nc; c++)
                txt[c] = strdup(cols[c]->header);
        for (size_t r = 0, line = 1; r < t->n_rows; r++)
                for (size_t l = 0, n = row_lines(t, r); l < n; l++, line++)
                        row_line_text(t, r, l, bytes, txt + line * nc);
        for (size_t i = 0; i < nl * nc; i++)
                if (txt[i] && text_width(txt[i]) > w[i % nc])
                        w[i % nc] = text_width(txt[i]);

        for (size_t l = 0; l < nl; l++) {
                size_t end = nc;

                /* no trailing blanks: stop after the last non-empty cell */
                while (end > 0 && txt[l * nc + end - 1] && !txt[l * nc + end - 1][0])
                        end--;
                for (size_t c = 0; c < end; c++) {
                        const char *s = txt[l * nc + c];
                        size_t pad;

                        if (!s) {       /* out of memory for this cell */
                                s = "?";
                                ret = -ENOMEM;
                        }
                        pad = w[c] - text_width(s);
                        if (c > 0)
                                fputc(' ', f);
                        if (cols[c]->type == TABLE_STRING) {
                                fputs(s, f);
                                if (c != nc - 1)
                                        fprintf(f, "%*s", (int) pad, "");
                        } else
                                fprintf(f, "%*s%s", (int) pad, "", s);
                }
                fputc('\n', f);
        }
out:
        if (txt)
                for (size_t i = 0; i < nl * nc; i++)
                        free(txt[i]);
        free(txt);
        free(w);
        free(cols);
        return ret;
}

void table_print_json_value(const struct table *t, struct dbc_json *j) {
        dbc_json_begin_array(j);
        for (size_t r = 0; r < t->n_rows; r++) {
                dbc_json_begin_object(j);
                for (size_t c = 0; c < t->n_columns; c++) {
                        const struct table_column *col = &t->columns[c];
                        const struct table_cell *cell = &t->cells[r * t->n_columns + c];

                        if (!col->json_key)
                                continue;
                        dbc_json_key(j, col->json_key);
                        if (cell->null || (col->type == TABLE_LIMIT && cell->u == DBC_SIZE_MAX))
                                dbc_json_null(j);
                        else if (col->type == TABLE_STRING)
                                dbc_json_string(j, cell->s);
                        else if (col->type == TABLE_DELTA)
                                dbc_json_i64(j, cell->d);
                        else if (col->type == TABLE_TABLE)
                                table_print_json_value(cell->t, j);
                        else
                                dbc_json_u64(j, cell->u);
                }
                dbc_json_end_object(j);
        }
        dbc_json_end_array(j);
}

void table_print_json(const struct table *t, FILE *f) {
        struct dbc_json j;

        dbc_json_init(&j, f);
        table_print_json_value(t, &j);
}
