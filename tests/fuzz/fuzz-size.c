/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target: sizes, durations and cgroupfs limit values, and the
 * round trip through their formatters. */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "dmabufctl/cgroup.h"
#include "dmabufctl/size.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char buf[DBC_FORMAT_MAX];
        char *s = malloc(size + 1), *norm = NULL;
        uint64_t v, w;

        if (!s)
                return 0;
        memcpy(s, data, size);
        s[size] = '\0';

        if (dbc_size_parse(s, &v) == 0)
                (void) dbc_size_format(v, buf);
        if (dbc_duration_parse(s, &v) == 0) {
                /* what we print we must read back exactly */
                assert(dbc_duration_parse(dbc_duration_format(v, buf), &w) == 0 && w == v);
        }
        (void) dbc_parse_limit(s, &v);
        if (dbc_cgroup_path_normalize(s, &norm) == 0) {
                assert(norm[0] == '/');
                assert(!strstr(norm, "//"));
                free(norm);
        }
        free(s);
        return 0;
}
