/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target: memory.stat and memory.events parsers, and the one-key
 * lookup of the daemon's hot path (which must find the dmabuf key whenever
 * the full parser does). */
#include <stddef.h>
#include <stdlib.h>
#include <stdint.h>

#include "dmabufctl/memstat.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct dbc_memstat m;
        struct dbc_memevents e;

        uint64_t v;
        int found = dbc_memstat_find((const char *) data, size, "dmabuf", &v);

        if (dbc_memstat_parse((const char *) data, size, &m) == 0 && m.has_dmabuf && found != 0)
                abort();
        (void) dbc_memevents_parse((const char *) data, size, &e);
        return 0;
}
