/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target: JSON string escaping. Whatever bytes a cgroup or buffer
 * name holds, the output is one valid JSON string: valid UTF-8, no raw
 * control bytes, quotes and backslashes escaped. */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dmabufctl/escape.h"
#include "dmabufctl/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char *s = malloc(size + 1), *out = NULL;
        size_t len = 0;
        FILE *f;

        if (!s)
                return 0;
        memcpy(s, data, size);
        s[size] = '\0';
        f = open_memstream(&out, &len);
        assert(f);
        dbc_json_write_string(f, s);
        fclose(f);

        assert(len >= 2 && out[0] == '"' && out[len - 1] == '"');
        for (size_t i = 1; i + 1 < len;) {
                size_t n = dbc_utf8_char_len(out + i);
                unsigned char c = (unsigned char) out[i];

                assert(n > 0);                  /* valid UTF-8 throughout */
                assert(c >= 0x20 && c != 0x7f); /* no raw control bytes */
                if (c == '\\') {
                        assert(i + 2 < len);    /* an escape never ends the string */
                        i += 2;
                        continue;
                }
                assert(c != '"');               /* quotes only escaped */
                i += n;
        }
        free(out);
        free(s);
        return 0;
}
