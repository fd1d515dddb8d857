/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <inttypes.h>
#include <stddef.h>

#include "dmabufctl/escape.h"
#include "dmabufctl/json.h"

void dbc_json_init(struct dbc_json *j, FILE *f) {
        *j = (struct dbc_json) { .f = f, .first = true };
}

static void indent(struct dbc_json *j) {
        fputc('\n', j->f);
        for (unsigned i = 0; i < j->depth; i++)
                fputs("  ", j->f);
}

/* Separator and indentation before a value or a key. */
static void before_value(struct dbc_json *j) {
        if (j->after_key) {
                j->after_key = false;
                return;
        }
        if (!j->first)
                fputc(',', j->f);
        if (j->depth > 0)
                indent(j);
        j->first = false;
}

static void open_(struct dbc_json *j, char c) {
        before_value(j);
        fputc(c, j->f);
        j->depth++;
        j->first = true;
}

static void close_(struct dbc_json *j, char c) {
        bool empty = j->first;

        j->depth--;
        if (!empty)
                indent(j);
        fputc(c, j->f);
        j->first = false;
        if (j->depth == 0)
                fputc('\n', j->f);
}

void dbc_json_begin_object(struct dbc_json *j) { open_(j, '{'); }
void dbc_json_end_object(struct dbc_json *j) { close_(j, '}'); }
void dbc_json_begin_array(struct dbc_json *j) { open_(j, '['); }
void dbc_json_end_array(struct dbc_json *j) { close_(j, ']'); }

void dbc_json_key(struct dbc_json *j, const char *key) {
        before_value(j);
        dbc_json_write_string(j->f, key);
        fputs(": ", j->f);
        j->after_key = true;
}

void dbc_json_write_string(FILE *f, const char *s) {
        const unsigned char *p = (const unsigned char *) s;

        fputc('"', f);
        while (*p) {
                size_t n;
                uint32_t cp;

                switch (*p) {
                case '"': fputs("\\\"", f); p++; continue;
                case '\\': fputs("\\\\", f); p++; continue;
                case '\n': fputs("\\n", f); p++; continue;
                case '\t': fputs("\\t", f); p++; continue;
                case '\r': fputs("\\r", f); p++; continue;
                case '\b': fputs("\\b", f); p++; continue;
                case '\f': fputs("\\f", f); p++; continue;
                }
                switch (dbc_char_next((const char *) p, &n, &cp)) {
                case DBC_CHAR_CONTROL:
                        /* C1 too: valid JSON as it is, but not for a terminal */
                        fprintf(f, "\\u%04x", (unsigned) cp);
                        p += n;
                        continue;
                case DBC_CHAR_INVALID:
                        fputs("\\ufffd", f);
                        p++;
                        continue;
                case DBC_CHAR_PLAIN:
                        break;
                }
                fwrite(p, 1, n, f);
                p += n;
        }
        fputc('"', f);
}

void dbc_json_string(struct dbc_json *j, const char *s) {
        if (!s) {
                dbc_json_null(j);
                return;
        }
        before_value(j);
        dbc_json_write_string(j->f, s);
}

void dbc_json_u64(struct dbc_json *j, uint64_t v) {
        before_value(j);
        fprintf(j->f, "%" PRIu64, v);
}

void dbc_json_i64(struct dbc_json *j, int64_t v) {
        before_value(j);
        fprintf(j->f, "%" PRId64, v);
}

void dbc_json_null(struct dbc_json *j) {
        before_value(j);
        fputs("null", j->f);
}

void dbc_json_bool(struct dbc_json *j, bool b) {
        before_value(j);
        fputs(b ? "true" : "false", j->f);
}
