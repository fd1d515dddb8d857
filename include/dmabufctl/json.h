/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* A small streaming JSON writer: two-space indented output, correct string
 * escaping. Control characters (C0, DEL, C1) as \uXXXX; bytes that are not
 * valid UTF-8 as U+FFFD (JSON text must be UTF-8). escape.h classifies.
 * Pieces are gathered in buf and handed to f a buffer at a time, and
 * whenever a document (the top-level value) is complete: a document of
 * 16,000 buffers is a million pieces, and stdio's per-call cost was most
 * of its writing. Write nothing else to f in the middle of a document. */
struct dbc_json {
        FILE *f;
        char buf[4096];
        size_t n;               /* bytes in buf */
        unsigned depth;
        bool first;             /* nothing written yet at this depth */
        bool after_key;
        bool compact;           /* no blanks or line breaks inside a document (JSON Lines) */
};

void dbc_json_init(struct dbc_json *j, FILE *f);
/* One document per line: nothing but the closing newline between values. */
void dbc_json_init_compact(struct dbc_json *j, FILE *f);
void dbc_json_begin_object(struct dbc_json *j);
void dbc_json_end_object(struct dbc_json *j);
void dbc_json_begin_array(struct dbc_json *j);
void dbc_json_end_array(struct dbc_json *j);
void dbc_json_key(struct dbc_json *j, const char *key);
void dbc_json_string(struct dbc_json *j, const char *s);       /* NULL writes null */
void dbc_json_u64(struct dbc_json *j, uint64_t v);
void dbc_json_i64(struct dbc_json *j, int64_t v);
void dbc_json_null(struct dbc_json *j);
void dbc_json_bool(struct dbc_json *j, bool b);

/* Write s as a JSON string literal (with quotes) to f. */
void dbc_json_write_string(FILE *f, const char *s);
