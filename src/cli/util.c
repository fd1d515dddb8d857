/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "dmabufctl/escape.h"
#include "dmabufctl/size.h"

/* Every line on stderr goes out escaped whole: its cgroup paths, unit and
 * policy names and echoed arguments come from whoever created them, and one
 * unescaped %s would hand them the administrator's terminal. Escaping is
 * idempotent on what a caller escaped already. */
_printf_(1, 0) static void vreport(const char *fmt, va_list ap) {
        _cleanup_free_ char *msg = NULL;

        fputs("dmabufctl: ", stderr);
        if (vasprintf(&msg, fmt, ap) < 0) {
                msg = NULL;
                fputs("out of memory (formatting a message)", stderr);
        } else
                dbc_escape_write(stderr, msg, DBC_ESCAPE_TEXT);
        fputc('\n', stderr);
}

int cli_error(const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        vreport(fmt, ap);
        va_end(ap);
        return EXIT_FAIL;
}

int cli_usage_error(const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        vreport(fmt, ap);
        va_end(ap);
        fputs("Try 'dmabufctl --help'.\n", stderr);
        return EXIT_USAGE;
}

void cli_warn(const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        vreport(fmt, ap);
        va_end(ap);
}

enum {
        OPT_ROOT = 0x100,
        OPT_PROC_ROOT,
        OPT_CONFIG,
        OPT_JSON,
};

static const struct option global_options[] = {
        { "root",      required_argument, NULL, OPT_ROOT },
        { "proc-root", required_argument, NULL, OPT_PROC_ROOT },
        { "config",    required_argument, NULL, OPT_CONFIG },
        { "json",      no_argument,       NULL, OPT_JSON },
        { "help",      no_argument,       NULL, 'h' },
};

/* Returns 1 when opt was a global option (and applied), 0 if not. verb:
 * the verb whose options these are, or NULL before it. */
static int handle_global(struct cli *cli, int opt, const char *arg, const char *verb) {
        switch (opt) {
        case OPT_ROOT:
                if (!*arg) {
                        cli_usage_error("--root needs a directory, not an empty string");
                        exit(EXIT_USAGE);
                }
                cli->root_path = arg;
                return 1;
        case OPT_PROC_ROOT:
                cli->proc_root = arg;
                return 1;
        case OPT_CONFIG:
                cli->config_path = arg;
                return 1;
        case OPT_JSON:
                cli->json = true;
                return 1;
        case 'h':
                if (!verb || cli_verb_help(verb) < 0)
                        cli_help();
                exit(fflush(stdout) == 0 ? EXIT_OK : cli_error("cannot write: %s", strerror(errno)));
        }
        return 0;
}

int cli_parse_options(struct cli *cli, int argc, char *argv[],
                      const char *shortopts, const struct option *own,
                      int (*handle)(int opt, const char *arg, void *userdata),
                      void *userdata) {
        _cleanup_free_ struct option *all = NULL;
        _cleanup_free_ char *so = NULL;
        size_t n_own = 0;
        int c;

        while (own && own[n_own].name)
                n_own++;
        all = calloc(n_own + ELEMENTSOF(global_options) + 1, sizeof(*all));
        if (!all)
                return cli_error("out of memory"), -1;
        memcpy(all, global_options, sizeof(global_options));
        if (n_own)
                memcpy(all + ELEMENTSOF(global_options), own, n_own * sizeof(*own));

        /* ':' first: report a missing argument ourselves. A verb whose
         * shortopts start with '+' stops at its first operand (run's CMD). */
        if (!shortopts)
                shortopts = "";
        if (asprintf(&so, "%s:h%s", shortopts[0] == '+' ? "+" : "",
                     shortopts + (shortopts[0] == '+')) < 0)
                return cli_error("out of memory"), -1;

        /* Messages name the verb; before it, the program name says enough. */
        const char *who = streq(argv[0], program_invocation_name) ? "" : argv[0];
        const char *colon = *who ? ": " : "";

        opterr = 0;
        optind = 0;
        while ((c = getopt_long(argc, argv, so, all, NULL)) >= 0) {
                if (c == '?') {
                        if (optopt >= 0x100)    /* a long option given an argument it does not take */
                                cli_usage_error("%s%soption %.*s takes no argument", who, colon,
                                                (int) strcspn(argv[optind - 1], "="), argv[optind - 1]);
                        else if (optopt > 0)
                                cli_usage_error("%s%sunknown option -%c", who, colon, optopt);
                        else
                                cli_usage_error("%s%sunknown option %s", who, colon, argv[optind - 1]);
                        return -1;
                }
                if (c == ':') {
                        cli_usage_error("%s%soption %s needs an argument", who, colon, argv[optind - 1]);
                        return -1;
                }
                if (handle_global(cli, c, optarg, *who ? who : NULL))
                        continue;
                if (!handle || handle(c, optarg, userdata) < 0)
                        return -1;
        }
        return optind;
}

int cli_open_root(struct cli *cli, struct dbc_root **ret) {
        const char *path = cli->root_path;
        int r;

        r = dbc_root_open(path, ret);
        if (r >= 0)
                return 0;
        if (r == -ENOMEDIUM)
                return cli_error("no cgroup2 hierarchy is mounted (none in /proc/self/mountinfo); give one with --root");
        if (r == -EMEDIUMTYPE) {
                _cleanup_free_ char *why = dbc_root_explain_not_cgroup2(path);
                return cli_error("%s", why ? why : "not a cgroup2 hierarchy");
        }
        if (path && *path)
                return cli_error("cgroup root %s: %s", path, strerror(-r));
        return cli_error("cgroup root: %s", strerror(-r));
}

int cli_parse_size_option(const char *verb, const char *option, const char *arg, unsigned flags,
                          struct dbc_size *ret) {
        struct dbc_token bad;
        char why[128];

        if (dbc_size_parse_full(arg, flags, ret, &bad) < 0) {
                _cleanup_free_ char *escaped = dbc_escape_text(arg);

                return cli_usage_error("%s: %s: invalid size \"%s\": %s (bytes, K, M, G, T, P, E, max%s)", verb, option,
                                       escaped ? escaped : "?", dbc_token_describe(arg, &bad, why, sizeof(why)),
                                       flags & DBC_SIZE_ALLOW_PERCENT ? " or N%" : ""), -1;
        }
        return 0;
}

int cli_resolve_size(struct cli *cli, const char *verb, const char *option, const struct dbc_size *sz,
                     uint64_t *ret) {
        char a[DBC_FORMAT_MAX], b[DBC_FORMAT_MAX], pct[DBC_FORMAT_MAX];
        uint64_t physical;
        int r;

        if (!sz->percent) {
                *ret = sz->bytes;
                return 0;
        }
        r = dbc_physical_memory(cli->proc_root, &physical);
        if (r < 0)
                return cli_error("%s: %s: cannot tell the physical memory for %s: %s/meminfo: %s", verb, option,
                                 dbc_percent_format(sz->permyriad, pct), cli->proc_root,
                                 r == -EINVAL ? "no MemTotal line" : strerror(-r));
        *ret = dbc_size_resolve(sz, physical);
        cli_warn("%s: %s %s of physical memory (%s): %s (%" PRIu64 " bytes)", verb, option,
                 dbc_percent_format(sz->permyriad, pct), dbc_size_format(physical, a),
                 dbc_size_format(*ret, b), *ret);
        return 0;
}
