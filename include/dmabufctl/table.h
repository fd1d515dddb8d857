/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* One row model for text and JSON output, so the two cannot drift: the
 * `status`, `top`, `buffers`, `apply`/`set` and `dmabufd --once` rows are
 * tables of these cells (rows.h names their columns). Text is laid out by
 * libsmartcols; JSON comes from our own writer (json.h), in the shape the
 * contract fixes. */
enum dbc_table_type {
        DBC_TABLE_STRING,       /* text as is (made safe for a terminal); JSON string */
        DBC_TABLE_SIZE,         /* bytes: human or raw in text; JSON integer */
        DBC_TABLE_LIMIT,        /* a size limit: as DBC_TABLE_SIZE, but DBC_SIZE_MAX is "max" in text and null in JSON */
        DBC_TABLE_U64,          /* plain integer */
        DBC_TABLE_DELTA,        /* signed change of a size: "+1.0M" / "-4.0K"; JSON integer */
        DBC_TABLE_TABLE,        /* a nested table with the columns dbc_table_set_sub_columns() names:
                                 * JSON array of objects; in text its columns continue the row,
                                 * one line per nested row. One such column per table. */
};

enum {
        DBC_COLUMN_PATH   = 1 << 0,     /* a cgroup path: shortened from the left, keeping the leaf */
        DBC_COLUMN_HIDDEN = 1 << 1,     /* in text only when -o names it */
        DBC_COLUMN_STATE  = 1 << 2,     /* ok / warn / over: coloured when colours are on */
        DBC_COLUMN_TRUNC  = 1 << 3,     /* free text: cut from the right on a narrow terminal */
};

struct dbc_table_column {
        const char *name;       /* text header and -o name; NULL: JSON only */
        const char *json_key;   /* NULL: text only */
        enum dbc_table_type type;
        unsigned flags;         /* DBC_COLUMN_* */
        const char *help;       /* one line for `--output help`; NULL: not selectable */
};

/* 16 bytes: a table of 16,000 buffers and their holders is 200,000
 * cells, and every page of them is a page fault. Which member holds the
 * value is the column's type; a null cell's members read as 0. */
struct dbc_table_cell {
        bool null;              /* "-" in text, null in JSON */
        bool owned;             /* s or t is freed with the table */
        union {
                char *s;                /* DBC_TABLE_STRING */
                uint64_t u;             /* DBC_TABLE_SIZE, _LIMIT, _U64 */
                int64_t d;              /* DBC_TABLE_DELTA */
                struct dbc_table *t;    /* DBC_TABLE_TABLE */
        };
};

struct dbc_table {
        const struct dbc_table_column *columns;
        size_t n_columns;
        struct dbc_table_cell *cells;   /* n_rows * n_columns */
        size_t n_rows;
        size_t cap_rows;
        const struct dbc_table_column *sub_columns;     /* of the DBC_TABLE_TABLE column */
        size_t n_sub_columns;
};

void dbc_table_init(struct dbc_table *t, const struct dbc_table_column *columns, size_t n_columns);
void dbc_table_done(struct dbc_table *t);
/* The columns of the nested tables of t's DBC_TABLE_TABLE column (for the
 * text header even when there are no rows). */
void dbc_table_set_sub_columns(struct dbc_table *t, const struct dbc_table_column *columns, size_t n_columns);

/* Room for n_rows rows in all (a table of known size allocates once).
 * Returns 0 or -ENOMEM. */
int dbc_table_reserve(struct dbc_table *t, size_t n_rows);
/* Append a row, all cells null. Returns its index or -ENOMEM. */
int dbc_table_add_row(struct dbc_table *t);
struct dbc_table_cell *dbc_table_cell(struct dbc_table *t, size_t row, size_t col);
int dbc_table_set_string(struct dbc_table *t, size_t row, size_t col, const char *s);  /* NULL: null */
/* The same without a copy: s must outlive t (a scan's strings, whose tables
 * are freed before the scan). A table of 16,000 buffers saves 80,000
 * allocations this way. */
void dbc_table_set_string_ref(struct dbc_table *t, size_t row, size_t col, const char *s);
void dbc_table_set_u64(struct dbc_table *t, size_t row, size_t col, uint64_t v);
void dbc_table_set_delta(struct dbc_table *t, size_t row, size_t col, int64_t v);
/* Hand a nested table (initialised with t's sub columns) to the cell; it is
 * freed with t. */
void dbc_table_set_table(struct dbc_table *t, size_t row, size_t col, struct dbc_table *sub);

/* Sort rows with cmp over whole rows (arrays of n_columns cells). */
void dbc_table_sort(struct dbc_table *t, int (*cmp)(const struct dbc_table_cell *a, const struct dbc_table_cell *b));

/* How text is shaped (the -o, -n, -r options and the terminal). */
struct dbc_table_text {
        bool bytes;             /* raw numbers instead of human sizes */
        bool noheadings;
        bool raw;               /* one blank between cells, no alignment, blanks in cells escaped */
        bool colors;            /* ANSI colours (the caller asks the terminal and NO_COLOR) */
        size_t width;           /* shorten cells to fit this many columns; 0: never */
        char **names;           /* columns to show, in this order (names as dbc_output_parse()
                                 * returns them); NULL: every column not DBC_COLUMN_HIDDEN */
        bool add_names;         /* names come after those defaults ("-o +COL"), each once */
        const char *marked;     /* the name of a column whose header is marked (top's sort key) */
        const char *mark;       /* appended to that header */
};

/* Aligned text through libsmartcols. A row with a nested table takes one
 * line per nested row (at least one); its other cells are on the first.
 * With names, a table holding none of the named columns prints nothing and
 * returns 0. Returns 1 when something was printed, 0, -ENOMEM or -EIO. */
int dbc_table_print_text(const struct dbc_table *t, FILE *f, const struct dbc_table_text *o);

/* A JSON array of objects, one per row. */
void dbc_table_print_json(const struct dbc_table *t, FILE *f);
/* Emit the rows of t as the value of the current key of an open JSON writer
 * (or as a whole document when nothing is open). */
struct dbc_json;
void dbc_table_print_json_value(const struct dbc_table *t, struct dbc_json *j);

/* The columns a verb's tables offer: `-o LIST` is checked against them. */
struct dbc_column_set {
        const struct dbc_table_column *columns;
        size_t n;
};

/* Parse an -o LIST: comma-separated column names, case-insensitive, each
 * named by some set (a nested table's columns count as its table's); a
 * leading '+' adds them to the default columns, as lsblk does (*ret_add).
 * Returns 0 and *ret, a NULL-terminated array of the canonical names (free
 * with dbc_output_free()); -EINVAL with *ret_bad the first unknown name (free
 * it; as given, not escaped) or an empty one; -ENOMEM. */
int dbc_output_parse(const char *list, const struct dbc_column_set *sets, size_t n_sets, char ***ret,
                     bool *ret_add, char **ret_bad);
void dbc_output_free(char **names);

/* `--output help`: every selectable column of the sets, once, with its
 * line of help, to f. */
void dbc_output_help(FILE *f, const struct dbc_column_set *sets, size_t n_sets);

/* How many bytes of s (len bytes, a line of dbc_table_print_text() or any
 * escaped text) fill at most cols screen columns: characters counted with
 * wcwidth() in the current locale, colour sequences (CSI) as none. Never
 * cuts inside a character; *ret_cut says whether anything visible was left
 * out. */
size_t dbc_text_fit(const char *s, size_t len, size_t cols, bool *ret_cut);

/* The terminal's part of o for output on fd: width when fd is a terminal
 * ($COLUMNS when set, else the terminal's; 0 when fd is no terminal, with
 * or without $COLUMNS: never shortened) and
 * colours (fd is a terminal, $TERM is set and not "dumb", and $NO_COLOR is unset or
 * empty, https://no-color.org). */
void dbc_table_text_terminal(struct dbc_table_text *o, int fd);
