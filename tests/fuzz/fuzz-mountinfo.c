/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target: the mountinfo parser behind cgroup2 root detection. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dmabufctl/cgroup.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static const char *const queries[][2] = {
                { "cgroup2", NULL }, { "cgroup", "memory" }, { "tmpfs", "ro" },
        };

        for (size_t i = 0; i < sizeof(queries) / sizeof(queries[0]); i++) {
                FILE *f = fmemopen((void *) data, size, "r");
                char *m = NULL;

                if (!f)
                        return 0;
                if (dbc_mountinfo_find(f, queries[i][0], queries[i][1], &m) == 0)
                        free(m);
                fclose(f);
        }
        return 0;
}
