/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "dmabufctl/runpolicy.h"

struct verb {
        const char *name;
        const char *args;
        const char *help;
        cli_verb_fn fn;
};

static const struct verb verbs[] = {
        { "status",       "[CGROUP...]",       "Show memory and dma-buf use per cgroup, with policy state", verb_status },
        { "check-config", "[PATH]",            "Validate the configuration",                                 verb_check_config },
        { "buffers",      "[OPTIONS...]",      "Show who holds which dma-buf, and which cgroup pays for it", verb_buffers },
        { "set",          "TARGET --memory-max SIZE", "Set the budget of a cgroup or systemd unit",          verb_set },
        { "apply",        "[--dry-run]",       "Write every policy's budgets (old -> new)",                  verb_apply },
        { "run",          "[OPTIONS] -- CMD...", "Run CMD in its own cgroup with a budget",                  verb_run },
        { "top",          "[-d DELAY] [-n N] [-b]", "Live view of cgroups sorted by dma-buf use",            verb_top },
};

void cli_help(void) {
        printf("Usage: dmabufctl [OPTIONS...] COMMAND [ARGS...]\n"
               "\n"
               "Inspect and budget the dma-buf memory charged to cgroups.\n"
               "\n"
               "Commands:\n");
        for (size_t i = 0; i < ELEMENTSOF(verbs); i++) {
                char head[64];

                snprintf(head, sizeof(head), "%s %s", verbs[i].name, verbs[i].args);
                printf("  %-28s %s\n", head, verbs[i].help);
        }
        printf("\n"
               "Options:\n"
               "  --root DIR           cgroup2 mount point (default: from /proc/self/mountinfo;\n"
               "                       environment DMABUFCTL_CGROUP_ROOT)\n"
               "  --proc-root DIR      procfs to read (default: /proc; DMABUFCTL_PROC_ROOT)\n"
               "  --config PATH        configuration file, with only the policies.d/ beside it\n"
               "                       (default: %s,\n"
               "                       else %s,\n"
               "                       and the policies.d/ of %s,\n"
               "                       %s and %s)\n"
               "  --json               JSON output\n"
               "  -h --help            show this help\n"
               "  --version            show the version\n"
               "\n"
               "Command options:\n"
               "  status:   --all, --sort dmabuf|current|name, --bytes\n"
               "  buffers:  --pid PID, --cgroup CG (and below), --bytes\n"
               "  set:      TARGET (cgroup path, or NAME.service|.scope|.slice) --memory-max SIZE,\n"
               "            --memory-high SIZE, --runtime (units: not persistent), --bytes\n"
               "  apply:    --dry-run (print the changes, write nothing), --bytes\n"
               "  run:      --memory-max SIZE, --dmabuf-max SIZE, --name NAME, --slice SLICE, -- CMD...\n"
               "  top:      -d DELAY (default 1s), -n ITERATIONS, -b (batch: plain frames),\n"
               "            --all, --bytes; q quits\n"
               "\n"
               "Sizes: bytes, K, M, G, T, P, E (powers of 1024, fractions: 1.5G), max; --memory-max\n"
               "and --memory-high also N%% of physical memory. Durations: us, ms, s, min, h,\n"
               "combined (1min 30s).\n"
               "Exit status: 0 success, 1 failure, 2 usage error.\n"
               "See dmabufctl(8) and dmabufctl.conf(5).\n",
               DBC_CONFIG_PATH, DBC_VENDOR_DIR "/" DBC_CONFIG_NAME, DBC_VENDOR_DIR, DBC_ADMIN_DIR, DBC_RUNTIME_DIR);
}

enum { OPT_VERSION = 0x200 };

static int handle_main(int opt, const char *arg, void *userdata) {
        switch (opt) {
        case OPT_VERSION:
                printf("dmabufctl %s\n", PACKAGE_VERSION);
                exit(fflush(stdout) == 0 ? EXIT_OK : cli_error("cannot write: %s", strerror(errno)));
        }
        return -1;
}

int main(int argc, char *argv[]) {
        static const struct option opts[] = {
                { "version", no_argument, NULL, OPT_VERSION },
                {}
        };
        struct cli cli = {
                .proc_root = "/proc",
                .sysfs_root = "/sys",
                .dev_root = "/dev",
        };
        const char *e;
        int k;

        /* Character classes and widths of the terminal's encoding (text
         * tables); messages and numbers stay in the C locale. */
        setlocale(LC_CTYPE, "");

        if ((e = getenv("DMABUFCTL_CGROUP_ROOT")) && *e)
                cli.root_path = e;
        if ((e = getenv("DMABUFCTL_PROC_ROOT")) && *e)
                cli.proc_root = e;
        if ((e = getenv("DMABUFCTL_SYSFS_ROOT")) && *e)
                cli.sysfs_root = e;
        if ((e = getenv("DMABUFCTL_DEV_ROOT")) && *e)
                cli.dev_root = e;

        /* Global options up to the command name; the verb parses the rest
         * (and accepts the global options there too). */
        k = cli_parse_options(&cli, argc, argv, "+", opts, handle_main, NULL);
        if (k < 0)
                return EXIT_USAGE;
        if (k >= argc)
                return cli_usage_error("no command given (see dmabufctl --help)");

        for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
                if (streq(argv[k], verbs[i].name))
                        return verbs[i].fn(&cli, argc - k, argv + k);

        return cli_usage_error("unknown command \"%s\" (see dmabufctl --help)", argv[k]);
}
