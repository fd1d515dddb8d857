/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dmabufctl/macro.h"
#include "dmabufctl/memstat.h"
#include "dmabufctl/proc.h"
#include "dmabufctl/size.h"

int dbc_process_start_time(const char *proc_root, pid_t pid, uint64_t *ret) {
        _cleanup_free_ char *file = NULL;
        char buf[2048], *p;
        int k;

        if (asprintf(&file, "%s/%d/stat", proc_root ? proc_root : "/proc", (int) pid) < 0)
                return -ENOMEM;
        k = dbc_read_file_at(AT_FDCWD, file, buf, sizeof(buf));
        if (k == -ENOENT)
                return -ESRCH;
        if (k < 0)
                return k;
        /* "pid (comm) state ...": comm may hold anything, even ") ". */
        p = strrchr(buf, ')');
        if (!p)
                return -EINVAL;
        p++;
        /* Fields 3.. follow; starttime is field 22. */
        for (int field = 3; field <= 22; field++) {
                p += strspn(p, " ");
                if (!*p)
                        return -EINVAL;
                if (field == 22)
                        return dbc_parse_u64_range(p, p + strcspn(p, " \n"), ret) < 0 ? -EINVAL : 0;
                p += strcspn(p, " ");
        }
        return -EINVAL;
}

int dbc_process_alive(const char *proc_root, pid_t pid, uint64_t start) {
        uint64_t now;
        int k = dbc_process_start_time(proc_root, pid, &now);

        if (k == -ESRCH)
                return 0;
        if (k < 0)
                return k;
        return now == start;
}
