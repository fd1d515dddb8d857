/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target: /proc/PID/maps parser. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "dmabufctl/maps.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int check(const struct dbc_dmabuf_map *m, void *userdata) {
        const uint8_t *start = userdata;

        (void) start;
        if (m->end < m->start)
                abort();
        /* the name points into the input: touch every byte of it */
        for (size_t i = 0; i < m->name_len; i++)
                if (m->name[i] == '\n')
                        abort();
        return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        (void) dbc_maps_parse((const char *) data, size, check, (void *) data);
        return 0;
}
