/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <inttypes.h>
#include <stddef.h>
#include <string.h>

#include "dmabufctl/escape.h"
#include "dmabufctl/json.h"

static void flush(struct dbc_json *j) {
        if (j->n > 0)
                fwrite_unlocked(j->buf, 1, j->n, j->f);
        j->n = 0;
}

static void put(struct dbc_json *j, const void *p, size_t n) {
        if (n > sizeof(j->buf) - j->n) {
                flush(j);
                if (n > sizeof(j->buf)) {
                        fwrite_unlocked(p, 1, n, j->f);
                        return;
                }
        }
        memcpy(j->buf + j->n, p, n);
        j->n += n;
}

static void put_c(struct dbc_json *j, char c) {
        if (j->n == sizeof(j->buf))
                flush(j);
        j->buf[j->n++] = c;
}

#define put_lit(j, lit) put((j), (lit), sizeof(lit) - 1)

/* After a value: a finished document goes out to f. */
static void end_value(struct dbc_json *j) {
        if (j->depth == 0)
                flush(j);
}

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
        /* a newline and two spaces per level, in one piece up to depth 16 */
        put(j, spaces, n < sizeof(spaces) - 1 ? n : sizeof(spaces) - 1);
        for (n = sizeof(spaces) - 2; n < 2 * (size_t) j->depth; n += 2)
                put_lit(j, "  ");
}

/* Separator and indentation before a value or a key. */
static void before_value(struct dbc_json *j) {
        if (j->after_key) {
                j->after_key = false;
                return;
        }
        if (!j->first)
                put_c(j, ',');
        if (j->depth > 0)
                indent(j);
        j->first = false;
}

static void open_(struct dbc_json *j, char c) {
        before_value(j);
        put_c(j, c);
        j->depth++;
        j->first = true;
}

static void close_(struct dbc_json *j, char c) {
        bool empty = j->first;

        j->depth--;
        if (!empty)
                indent(j);
        put_c(j, c);
        j->first = false;
        if (j->depth == 0)
                put_c(j, '\n');
        end_value(j);
}

void dbc_json_begin_object(struct dbc_json *j) { open_(j, '{'); }
void dbc_json_end_object(struct dbc_json *j) { close_(j, '}'); }
void dbc_json_begin_array(struct dbc_json *j) { open_(j, '['); }
void dbc_json_end_array(struct dbc_json *j) { close_(j, ']'); }

/* Bytes that go out as they are: printable ASCII other than '"' and '\\'. */
#define PLAIN16(b) ((b) >= 0x20 && (b) < 0x7f && (b) != '"' && (b) != '\\')
#define PLAIN_ROW(r) PLAIN16(r + 0), PLAIN16(r + 1), PLAIN16(r + 2), PLAIN16(r + 3), PLAIN16(r + 4), \
        PLAIN16(r + 5), PLAIN16(r + 6), PLAIN16(r + 7), PLAIN16(r + 8), PLAIN16(r + 9), PLAIN16(r + 10), \
        PLAIN16(r + 11), PLAIN16(r + 12), PLAIN16(r + 13), PLAIN16(r + 14), PLAIN16(r + 15)
static const bool plain[256] = {
        PLAIN_ROW(0x00), PLAIN_ROW(0x10), PLAIN_ROW(0x20), PLAIN_ROW(0x30),
        PLAIN_ROW(0x40), PLAIN_ROW(0x50), PLAIN_ROW(0x60), PLAIN_ROW(0x70),
};

static void put_string(struct dbc_json *j, const char *s) {
        const unsigned char *p = (const unsigned char *) s;

        put_c(j, '"');
        while (*p) {
                const unsigned char *run = p;
                size_t n;
                uint32_t cp;

                /* Printable ASCII other than '"' and '\\' goes out as it is,
                 * a run at a time. */
                while (plain[*p])
                        p++;
                if (p > run)
                        put(j, run, (size_t) (p - run));
                if (!*p)
                        break;
                switch (*p) {
                case '"': put_lit(j, "\\\""); p++; continue;
                case '\\': put_lit(j, "\\\\"); p++; continue;
                case '\n': put_lit(j, "\\n"); p++; continue;
                case '\t': put_lit(j, "\\t"); p++; continue;
                case '\r': put_lit(j, "\\r"); p++; continue;
                case '\b': put_lit(j, "\\b"); p++; continue;
                case '\f': put_lit(j, "\\f"); p++; continue;
                }
                switch (dbc_char_next((const char *) p, &n, &cp)) {
                case DBC_CHAR_CONTROL: {
                        /* C1 too: valid JSON as it is, but not for a terminal */
                        char u[8];

                        snprintf(u, sizeof(u), "\\u%04x", (unsigned) cp);
                        put(j, u, 6);
                        p += n;
                        continue;
                }
                case DBC_CHAR_INVALID:
                        put_lit(j, "\\ufffd");
                        p++;
                        continue;
                case DBC_CHAR_PLAIN:
                        break;
                }
                put(j, p, n);
                p += n;
        }
        put_c(j, '"');
}

void dbc_json_key(struct dbc_json *j, const char *key) {
        before_value(j);
        put_string(j, key);
        if (j->compact)
                put_c(j, ':');
        else
                put_lit(j, ": ");
        j->after_key = true;
}

void dbc_json_write_string(FILE *f, const char *s) {
        struct dbc_json j;

        dbc_json_init(&j, f);
        put_string(&j, s);
        flush(&j);
}

void dbc_json_string(struct dbc_json *j, const char *s) {
        if (!s) {
                dbc_json_null(j);
                return;
        }
        before_value(j);
        put_string(j, s);
        end_value(j);
}

void dbc_json_u64(struct dbc_json *j, uint64_t v) {
        char buf[20], *p = buf + sizeof(buf);

        before_value(j);
        /* printf's format machinery costs more than the digits */
        do
                *--p = (char) ('0' + v % 10);
        while ((v /= 10) > 0);
        put(j, p, (size_t) (buf + sizeof(buf) - p));
        end_value(j);
}

void dbc_json_i64(struct dbc_json *j, int64_t v) {
        char buf[24];

        before_value(j);
        put(j, buf, (size_t) snprintf(buf, sizeof(buf), "%" PRId64, v));
        end_value(j);
}

void dbc_json_null(struct dbc_json *j) {
        before_value(j);
        put_lit(j, "null");
        end_value(j);
}

void dbc_json_bool(struct dbc_json *j, bool b) {
        before_value(j);
        if (b)
                put_lit(j, "true");
        else
                put_lit(j, "false");
        end_value(j);
}
