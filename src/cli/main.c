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
        const char *options;    /* its own options, one "  OPTION  what" line each */
        cli_verb_fn fn;
};

#define OUTPUT_HELP \
        "  -o --output LIST   columns to show, +LIST: added to the defaults (--output help\n" \
        "                     lists them); -o, -n, -r shape text, not --json\n" \
        "  -n --noheadings    no header line\n" \
        "  -r --raw           one blank between cells, not aligned, blanks escaped\n"

/* The one dispatch table: main() runs from it, --help and VERB --help are
 * printed from it. */
static const struct verb verbs[] = {
        { "status", "[OPTIONS...] [CGROUP...]", "Show memory and dma-buf use per cgroup, with policy state",
          "  --all              every cgroup, not only policed or dma-buf holding ones\n"
          "  --sort KEY         dmabuf, current or name\n"
          "  --bytes            exact byte counts\n"
          OUTPUT_HELP,
          verb_status },
        { "check-config", "[PATH]", "Validate the configuration",
          "",
          verb_check_config },
        { "buffers", "[OPTIONS...]", "Show who holds which dma-buf, and which cgroup pays for it",
          "  --pid PID          one process\n"
          "  --cgroup CG        one cgroup and below\n"
          "  --bytes            exact byte counts\n"
          OUTPUT_HELP,
          verb_buffers },
        { "set", "TARGET --memory-max SIZE", "Set the budget of a cgroup or systemd unit",
          "  TARGET             a cgroup path, or NAME.service|.scope|.slice\n"
          "  --memory-max SIZE  memory.max (SIZE, max, or N% of physical memory)\n"
          "  --memory-high SIZE memory.high (likewise)\n"
          "  --runtime          units: not persistent\n"
          "  --bytes            exact byte counts\n",
          verb_set },
        { "apply", "[--dry-run]", "Write every policy's budgets (old -> new)",
          "  --dry-run          print the changes, write nothing\n"
          "  --bytes            exact byte counts\n"
          OUTPUT_HELP,
          verb_apply },
        { "run", "[OPTIONS...] -- CMD...", "Run CMD in its own cgroup with a budget",
          "  --memory-max SIZE  memory.max of its cgroup (also N%)\n"
          "  --dmabuf-max SIZE  a runtime dma-buf policy while it runs\n"
          "  --name NAME        the cgroup's (scope's) name\n"
          "  --slice SLICE      the slice of its scope\n",
          verb_run },
        { "top", "[-d DELAY] [-n N] [-b]", "Live view of cgroups sorted by dma-buf use",
          "  -d --delay DELAY   between refreshes (default 1s; 2 = 2s, 500ms, 1min 30s)\n"
          "  -n --iterations N  refreshes before it ends\n"
          "  -b --batch         plain frames for scripts\n"
          "  --all              every cgroup\n"
          "  --sort KEY         dmabuf, current, name or rss (keys d, c, n, r); q quits\n"
          "  --bytes            exact byte counts\n"
          "  -o --output LIST   columns to show, +LIST: added to the defaults (--output help\n"
          "                     lists them); -o, --noheadings, -r shape text, not --json\n"
          "  --noheadings       no header line\n"
          "  -r --raw           one blank between cells, not aligned, blanks escaped\n",
          verb_top },
};

static void global_options_help(void) {
        printf("Options:\n"
               "  --root DIR         cgroup2 mount point (default: from /proc/self/mountinfo;\n"
               "                     environment DMABUFCTL_CGROUP_ROOT)\n"
               "  --proc-root DIR    procfs to read (default: /proc; DMABUFCTL_PROC_ROOT)\n"
               "  --config PATH      configuration file, with only the policies.d/ beside it\n"
               "                     (default: %s,\n"
               "                     else %s,\n"
               "                     and the policies.d/ of %s,\n"
               "                     %s and %s)\n"
               "  --json             JSON output\n"
               "  -h --help          show this help (after a command: that command's)\n"
               "  --version          show the version\n",
               DBC_CONFIG_PATH, DBC_VENDOR_DIR "/" DBC_CONFIG_NAME, DBC_VENDOR_DIR, DBC_ADMIN_DIR, DBC_RUNTIME_DIR);
}

static void sizes_help(void) {
        printf("Sizes: bytes, K, M, G, T, P, E (powers of 1024, fractions: 1.5G), max; --memory-max\n"
               "and --memory-high also N%% of physical memory; components apart (1G 512M).\n"
               "Durations: us, ms, s, min, h, combined (1min 30s), up to 24h; top -d 2: seconds.\n"
               "Exit status: 0 success, 1 failure, 2 usage error.\n");
}

void cli_help(void) {
        printf("Usage: dmabufctl [OPTIONS...] COMMAND [ARGS...]\n"
               "\n"
               "Inspect and budget the dma-buf memory charged to cgroups.\n"
               "\n"
               "Commands:\n");
        for (size_t i = 0; i < ELEMENTSOF(verbs); i++) {
                char head[64];

                snprintf(head, sizeof(head), "%s %s", verbs[i].name, verbs[i].args);
                printf("  %-36s %s\n", head, verbs[i].help);
        }
        printf("\n");
        global_options_help();
        printf("\nCommand options: dmabufctl COMMAND --help\n\n");
        sizes_help();
        printf("See dmabufctl(8) and dmabufctl.conf(5).\n");
}

int cli_verb_help(const char *name) {
        for (size_t i = 0; i < ELEMENTSOF(verbs); i++) {
                const struct verb *v = &verbs[i];

                if (!streq(v->name, name))
                        continue;
                printf("Usage: dmabufctl [OPTIONS...] %s %s\n\n%s.\n\n", v->name, v->args, v->help);
                if (*v->options)
                        printf("Options of %s:\n%s\n", v->name, v->options);
                global_options_help();
                printf("\n");
                sizes_help();
                printf("See dmabufctl(8).\n");
                return 0;
        }
        return -ENOENT;
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
                return cli_usage_error("no command given");

        for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
                if (streq(argv[k], verbs[i].name))
                        return verbs[i].fn(&cli, argc - k, argv + k);

        return cli_usage_error("unknown command \"%s\"", argv[k]);
}
