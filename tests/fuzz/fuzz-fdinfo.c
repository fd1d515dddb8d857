/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target: dma-buf fdinfo and /proc/PID/cgroup parsers. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "dmabufctl/attribution.h"
#include "dmabufctl/fdinfo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct dbc_fdinfo fi;
        char *cg = NULL;

        if (dbc_fdinfo_parse((const char *) data, size, &fi) == 1 &&
            (fi.exp_name[DBC_DMABUF_NAME_MAX - 1] || fi.name[DBC_DMABUF_NAME_MAX - 1]))
                abort();        /* names are always NUL terminated */
        if (dbc_proc_cgroup_parse((const char *) data, size, &cg) == 0)
                free(cg);
        return 0;
}
