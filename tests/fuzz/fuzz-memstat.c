/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target: memory.stat and memory.events parsers. */
#include <stddef.h>
#include <stdint.h>

#include "dmabufctl/memstat.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct dbc_memstat m;
        struct dbc_memevents e;

        (void) dbc_memstat_parse((const char *) data, size, &m);
        (void) dbc_memevents_parse((const char *) data, size, &e);
        return 0;
}
