/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target: the configuration parser, fed through a memfd (the
 * loader takes a path, as the daemon and the CLI give it one). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "dmabufctl/config.h"
#include "dmabufctl/policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static int fd = -1;
        static char path[64];
        struct dbc_diags diags = {};
        struct dbc_config *c;

        if (fd < 0) {
                fd = memfd_create("fuzz-config", MFD_CLOEXEC);
                if (fd < 0)
                        abort();
                snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
        }
        if (ftruncate(fd, 0) < 0 || pwrite(fd, data, size, 0) != (ssize_t) size)
                abort();

        if (dbc_config_load(path, true, &c, &diags) == 0) {
                /* A valid configuration is usable: match against it. */
                (void) dbc_policy_match(c, "/system.slice/camera-hal.service");
                (void) dbc_config_is_protected(c, "/system.slice/sshd.service/x");
                dbc_config_free(c);
        } else if (diags.n == 0)
                abort();        /* invalid, yet nothing said why */
        dbc_diags_clear(&diags);
        return 0;
}
