/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <inttypes.h>
#include <stddef.h>

#include "dmabufctl/escape.h"
#include "dmabufctl/json.h"

/* The writer is the one user of its FILE while it writes (a command's
 * stdout, a file being written): the unlocked stdio calls save a lock and a
 * call per piece, and a JSON document is many small pieces. */

void dbc_json_init(struct dbc_json *j, FILE *f) {
        *j = (struct dbc_json) { .f = f, .first = true };
}

void dbc_json_init_compact(struct dbc_json *j, FILE *f) {
        *j = (struct dbc_json) { .f = f, .first = true, .compact = true };
}

static void indent(struct dbc_json *j) {
        static const char spaces[] = "\n                                ";
        size_t n = 1 + 2 * (size_t) j->depth;

        if (j->compact)
                return;
        /* a newline and two spaces per level, in one write up to depth 16 */
        fwrite_unlocked(spaces, 1, n < sizeof(spaces) - 1 ? n : sizeof(spaces) - 1, j->f);
        for (n = sizeof(spaces) - 2; n < 2 * (size_t) j->depth; n += 2)
                fputs_unlocked("  ", j->f);
}

/* Separator and indentation before a value or a key. */
static void before_value(struct dbc_json *j) {
        if (j->after_key) {
                j->after_key = false;
                return;
        }
        if (!j->first)
                fputc_unlocked(',', j->f);
        if (j->depth > 0)
                indent(j);
        j->first = false;
}

static void open_(struct dbc_json *j, char c) {
        before_value(j);
        fputc_unlocked(c, j->f);
        j->depth++;
        j->first = true;
}

static void close_(struct dbc_json *j, char c) {
        bool empty = j->first;

        j->depth--;
        if (!empty)
                indent(j);
        fputc_unlocked(c, j->f);
        j->first = false;
        if (j->depth == 0)
                fputc_unlocked('\n', j->f);
}

void dbc_json_begin_object(struct dbc_json *j) { open_(j, '{'); }
void dbc_json_end_object(struct dbc_json *j) { close_(j, '}'); }
void dbc_json_begin_array(struct dbc_json *j) { open_(j, '['); }
void dbc_json_end_array(struct dbc_json *j) { close_(j, ']'); }

void dbc_json_key(struct dbc_json *j, const char *key) {
        before_value(j);
        dbc_json_write_string(j->f, key);
        fputs_unlocked(j->compact ? ":" : ": ", j->f);
        j->after_key = true;
}

void dbc_json_write_string(FILE *f, const char *s) {
        const unsigned char *p = (const unsigned char *) s;

        fputc_unlocked('"', f);
        while (*p) {
                const unsigned char *run = p;
                size_t n;
                uint32_t cp;

                /* Printable ASCII other than '"' and '\\' goes out as it is,
                 * a run at a time: one fwrite(), not one per byte. */
                while (*p >= 0x20 && *p < 0x7f && *p != '"' && *p != '\\')
                        p++;
                if (p > run)
                        fwrite_unlocked(run, 1, (size_t) (p - run), f);
                if (!*p)
                        break;
                switch (*p) {
                case '"': fputs_unlocked("\\\"", f); p++; continue;
                case '\\': fputs_unlocked("\\\\", f); p++; continue;
                case '\n': fputs_unlocked("\\n", f); p++; continue;
                case '\t': fputs_unlocked("\\t", f); p++; continue;
                case '\r': fputs_unlocked("\\r", f); p++; continue;
                case '\b': fputs_unlocked("\\b", f); p++; continue;
                case '\f': fputs_unlocked("\\f", f); p++; continue;
                }
                switch (dbc_char_next((const char *) p, &n, &cp)) {
                case DBC_CHAR_CONTROL:
                        /* C1 too: valid JSON as it is, but not for a terminal */
                        fprintf(f, "\\u%04x", (unsigned) cp);
                        p += n;
                        continue;
                case DBC_CHAR_INVALID:
                        fputs_unlocked("\\ufffd", f);
                        p++;
                        continue;
                case DBC_CHAR_PLAIN:
                        break;
                }
                fwrite_unlocked(p, 1, n, f);
                p += n;
        }
        fputc_unlocked('"', f);
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
        char buf[20], *p = buf + sizeof(buf);

        before_value(j);
        /* printf's format machinery costs more than the digits */
        do
                *--p = (char) ('0' + v % 10);
        while ((v /= 10) > 0);
        fwrite_unlocked(p, 1, (size_t) (buf + sizeof(buf) - p), j->f);
}

void dbc_json_i64(struct dbc_json *j, int64_t v) {
        before_value(j);
        fprintf(j->f, "%" PRId64, v);
}

void dbc_json_null(struct dbc_json *j) {
        before_value(j);
        fputs_unlocked("null", j->f);
}

void dbc_json_bool(struct dbc_json *j, bool b) {
        before_value(j);
        fputs_unlocked(b ? "true" : "false", j->f);
}
