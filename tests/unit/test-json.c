/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "dmabufctl/json.h"

static char *render(void (*fn)(struct dbc_json *j)) {
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);
        struct dbc_json j;

        dbc_json_init(&j, f);
        fn(&j);
        fclose(f);
        return buf;
}

static char *escape(const char *s) {
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);

        dbc_json_write_string(f, s);
        fclose(f);
        return buf;
}

#define ESC(in, out) do { char *_s = escape(in); cr_assert_str_eq(_s, out); free(_s); } while (0)

Test(json, escaping) {
        ESC("plain", "\"plain\"");
        ESC("with space", "\"with space\"");
        ESC("q\"uote", "\"q\\\"uote\"");
        ESC("back\\slash", "\"back\\\\slash\"");
        ESC("nl\ntab\t", "\"nl\\ntab\\t\"");
        ESC("\x01\x1f\x7f", "\"\\u0001\\u001f\\u007f\"");
        ESC("caf\xc3\xa9", "\"caf\xc3\xa9\"");                 /* valid UTF-8 kept */
        ESC("\xf0\x9f\x98\x80", "\"\xf0\x9f\x98\x80\"");
        ESC("bad\xff", "\"bad\\ufffd\"");                      /* invalid byte */
        ESC("\xc3", "\"\\ufffd\"");                             /* truncated sequence */
        ESC("\xc0\xaf", "\"\\ufffd\\ufffd\"");                  /* overlong */
        ESC("\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"");       /* surrogate */
}

static void doc(struct dbc_json *j) {
        dbc_json_begin_array(j);
        dbc_json_begin_object(j);
        dbc_json_key(j, "a");
        dbc_json_u64(j, 18446744073709551615ULL);
        dbc_json_key(j, "b");
        dbc_json_null(j);
        dbc_json_key(j, "c");
        dbc_json_begin_array(j);
        dbc_json_end_array(j);
        dbc_json_key(j, "d");
        dbc_json_i64(j, -5);
        dbc_json_key(j, "e");
        dbc_json_string(j, NULL);
        dbc_json_end_object(j);
        dbc_json_bool(j, true);
        dbc_json_end_array(j);
}

Test(json, structure) {
        char *s = render(doc);

        cr_assert_str_eq(s,
                "[\n"
                "  {\n"
                "    \"a\": 18446744073709551615,\n"
                "    \"b\": null,\n"
                "    \"c\": [],\n"
                "    \"d\": -5,\n"
                "    \"e\": null\n"
                "  },\n"
                "  true\n"
                "]\n");
        free(s);
}

static void empty(struct dbc_json *j) {
        dbc_json_begin_array(j);
        dbc_json_end_array(j);
}

Test(json, empty_array) {
        char *s = render(empty);
        cr_assert_str_eq(s, "[]\n");
        free(s);
}

/* The writer gathers pieces in its own buffer: a document far bigger than
 * it, and strings that do not fit in what is left of it (or in it at all),
 * come out whole and in order. */
static void big(struct dbc_json *j) {
        static char s[10000];

        memset(s, 'x', sizeof(s) - 1);
        dbc_json_begin_array(j);
        for (int i = 0; i < 1000; i++) {
                dbc_json_u64(j, (uint64_t) i);
                dbc_json_string(j, i == 500 ? s : "ab\"c");
        }
        dbc_json_end_array(j);
}

Test(json, bigger_than_its_buffer) {
        char *s = render(big), *want = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&want, &len);

        /* the same document, printed plainly */
        fputs("[", f);
        for (int i = 0; i < 1000; i++) {
                fprintf(f, "%s\n  %d,\n  \"", i ? "," : "", i);
                if (i == 500)
                        for (int k = 0; k < 9999; k++)
                                fputc('x', f);
                else
                        fputs("ab\\\"c", f);
                fputc('"', f);
        }
        fputs("\n]\n", f);
        fclose(f);
        cr_assert_gt(len, 3 * sizeof(((struct dbc_json *) 0)->buf));
        cr_assert_str_eq(s, want);
        free(s);
        free(want);
}

/* A finished document is in the FILE at once (JSON Lines of `top` are read
 * as they come), not when the writer's buffer fills. */
Test(json, document_out_when_complete) {
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);
        struct dbc_json j;

        dbc_json_init_compact(&j, f);
        dbc_json_begin_object(&j);
        dbc_json_key(&j, "n");
        dbc_json_u64(&j, 1);
        cr_assert_eq(fflush(f), 0);
        cr_assert_eq(len, 0, "written before the document ended: %zu bytes", len);
        dbc_json_end_object(&j);
        cr_assert_eq(fflush(f), 0);
        cr_assert_str_eq(buf, "{\"n\":1}\n");
        dbc_json_init_compact(&j, f);
        dbc_json_string(&j, "top-level");
        cr_assert_eq(fflush(f), 0);
        cr_assert_str_eq(buf, "{\"n\":1}\n\"top-level\"");
        fclose(f);
        free(buf);
}
