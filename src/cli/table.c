/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "dmabufctl/json.h"
#include "dmabufctl/size.h"
#include "table.h"

void table_init(struct table *t, const struct table_column *columns, size_t n_columns) {
        *t = (struct table) { .columns = columns, .n_columns = n_columns };
}

void table_done(struct table *t) {
        for (size_t i = 0; i < t->n_rows * t->n_columns; i++)
                free(t->cells[i].s);
        free(t->cells);
        t->cells = NULL;
        t->n_rows = t->cap_rows = 0;
}

int table_add_row(struct table *t) {
        if (t->n_rows == t->cap_rows) {
                size_t ncap = t->cap_rows ? t->cap_rows * 2 : 64;
                struct table_cell *c = realloc(t->cells, ncap * t->n_columns * sizeof(*c));
                if (!c)
                        return -ENOMEM;
                t->cells = c;
                t->cap_rows = ncap;
        }
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

static int (*sort_cmp)(const struct table_cell *a, const struct table_cell *b);

static int row_cmp(const void *a, const void *b) {
        return sort_cmp(a, b);
}

void table_sort(struct table *t, int (*cmp)(const struct table_cell *a, const struct table_cell *b)) {
        sort_cmp = cmp;
        qsort(t->cells, t->n_rows, t->n_columns * sizeof(struct table_cell), row_cmp);
}

/* Text form of a string cell: control bytes, bytes that are not UTF-8 and
 * backslashes escaped, so a cgroup name cannot break the table or the
 * terminal and nothing of it is lost. */
static char *escape_text(const char *s) {
        size_t n = strlen(s);
        char *out = malloc(n * 4 + 1), *o = out;

        if (!out)
                return NULL;
        for (const unsigned char *p = (const unsigned char *) s; *p;) {
                size_t k = dbc_utf8_char_len((const char *) p);

                if (*p < 0x20 || *p == 0x7f || k == 0) {
                        sprintf(o, "\\x%02x", *p);
                        o += 4;
                        p++;
                } else if (*p == '\\') {
                        *o++ = '\\';
                        *o++ = '\\';
                        p++;
                } else {
                        memcpy(o, p, k);
                        o += k;
                        p += k;
                }
        }
        *o = '\0';
        return out;
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
                return escape_text(c->s);
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
        }
        return NULL;
}

void table_print_text(const struct table *t, FILE *f, bool bytes) {
        size_t nc = t->n_columns, nr = t->n_rows;
        char **txt = calloc((nr + 1) * nc, sizeof(char *));
        size_t *w = calloc(nc, sizeof(size_t));
        size_t last = 0;

        if (!txt || !w)
                goto out;
        for (size_t c = 0; c < nc; c++) {
                if (!t->columns[c].header)
                        continue;
                txt[c] = strdup(t->columns[c].header);
                last = c;
        }
        for (size_t r = 0; r < nr; r++)
                for (size_t c = 0; c < nc; c++)
                        if (t->columns[c].header)
                                txt[(r + 1) * nc + c] = cell_text(&t->columns[c], &t->cells[r * nc + c], bytes);
        for (size_t i = 0; i < (nr + 1) * nc; i++)
                if (txt[i] && text_width(txt[i]) > w[i % nc])
                        w[i % nc] = text_width(txt[i]);

        for (size_t r = 0; r <= nr; r++) {
                bool first = true;
                for (size_t c = 0; c < nc; c++) {
                        const char *s = txt[r * nc + c];
                        size_t pad;

                        if (!t->columns[c].header)
                                continue;
                        if (!s)
                                s = "?";
                        pad = w[c] - text_width(s);
                        if (!first)
                                fputc(' ', f);
                        first = false;
                        if (t->columns[c].type == TABLE_STRING) {
                                fputs(s, f);
                                if (c != last)
                                        fprintf(f, "%*s", (int) pad, "");
                        } else
                                fprintf(f, "%*s%s", (int) pad, "", s);
                }
                fputc('\n', f);
        }
out:
        if (txt)
                for (size_t i = 0; i < (nr + 1) * nc; i++)
                        free(txt[i]);
        free(txt);
        free(w);
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
