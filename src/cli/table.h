/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* One row model for text and JSON output, so the two cannot drift. */
enum table_type {
        TABLE_STRING,           /* text as is (control bytes escaped); JSON string */
        TABLE_SIZE,             /* bytes: human or raw in text; JSON integer */
        TABLE_LIMIT,            /* a size limit: as TABLE_SIZE, but DBC_SIZE_MAX is "max" in text and null in JSON */
        TABLE_U64,              /* plain integer */
        TABLE_DELTA,            /* signed change of a size: "+1.0M" / "-4.0K"; JSON integer */
        TABLE_TABLE,            /* a nested table with the columns table_set_sub_columns() names:
                                 * JSON array of objects; in text its columns continue the row,
                                 * one line per nested row. One such column per table. */
};

struct table_column {
        const char *header;     /* text header; NULL: JSON only */
        const char *json_key;   /* NULL: text only */
        enum table_type type;
};

struct table_cell {
        bool null;              /* "-" in text, null in JSON */
        char *s;
        uint64_t u;
        int64_t d;
        struct table *t;        /* TABLE_TABLE, owned */
};

struct table {
        const struct table_column *columns;
        size_t n_columns;
        struct table_cell *cells;       /* n_rows * n_columns */
        size_t n_rows;
        size_t cap_rows;
        const struct table_column *sub_columns;        /* of the TABLE_TABLE column */
        size_t n_sub_columns;
};

void table_init(struct table *t, const struct table_column *columns, size_t n_columns);
void table_done(struct table *t);
/* The columns of the nested tables of t's TABLE_TABLE column (for the text
 * header even when there are no rows). */
void table_set_sub_columns(struct table *t, const struct table_column *columns, size_t n_columns);

/* Room for n_rows rows in all (a table of known size allocates once).
 * Returns 0 or -ENOMEM. */
int table_reserve(struct table *t, size_t n_rows);
/* Append a row, all cells null. Returns its index or -ENOMEM. */
int table_add_row(struct table *t);
struct table_cell *table_cell(struct table *t, size_t row, size_t col);
int table_set_string(struct table *t, size_t row, size_t col, const char *s);  /* NULL: null */
void table_set_u64(struct table *t, size_t row, size_t col, uint64_t v);
void table_set_delta(struct table *t, size_t row, size_t col, int64_t v);
/* Hand a nested table (initialised with t's sub columns) to the cell; it is
 * freed with t. */
void table_set_table(struct table *t, size_t row, size_t col, struct table *sub);

/* Sort rows with cmp over whole rows (arrays of n_columns cells). */
void table_sort(struct table *t, int (*cmp)(const struct table_cell *a, const struct table_cell *b));

/* Aligned text with a header line; bytes: raw numbers instead of human sizes.
 * A row with a nested table takes one line per nested row (at least one);
 * its other cells are printed on the first. */
int table_print_text(const struct table *t, FILE *f, bool bytes);     /* 0 or -ENOMEM */
/* A JSON array of objects, one per row. */
void table_print_json(const struct table *t, FILE *f);
/* Emit the rows of t as the value of the current key of an open JSON writer. */
struct dbc_json;
void table_print_json_value(const struct table *t, struct dbc_json *j);
