/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target: unit name validation and systemd's slice naming. */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "dmabufctl/macro.h"
#include "dmabufctl/unit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char *s = malloc(size + 1), *cg = NULL;

        if (!s)
                return 0;
        memcpy(s, data, size);
        s[size] = '\0';
        (void) dbc_unit_name_is_valid(s);
        if (dbc_slice_to_cgroup(s, &cg) == 0) {
                /* a slice's cgroup is an absolute path ending in the slice */
                assert(cg[0] == '/');
                assert(streq(cg, "/") || (strlen(cg) >= strlen(s) && streq(cg + strlen(cg) - strlen(s), s)));
                free(cg);
        }
        free(s);
        return 0;
}
