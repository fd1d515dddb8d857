/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>

#include "dmabufctl/cgroup.h"
#include "dmabufctl/config.h"
#include "dmabufctl/macro.h"
#include "dmabufctl/table.h"

/* Exit codes of the CLI contract. */
#define EXIT_OK 0
#define EXIT_FAIL 1
#define EXIT_USAGE 2

/* Global options, parsed once in main.c; a verb may also see them after its
 * own name (`dmabufctl status --json` and `dmabufctl --json status`). */
struct cli {
        const char *root_path;          /* --root or $DMABUFCTL_CGROUP_ROOT; NULL: detect */
        const char *proc_root;          /* --proc-root or $DMABUFCTL_PROC_ROOT; default /proc */
        const char *sysfs_root;         /* $DMABUFCTL_SYSFS_ROOT; default /sys */
        const char *dev_root;           /* $DMABUFCTL_DEV_ROOT; default /dev */
        const char *config_path;        /* --config; NULL: DBC_CONFIG_PATH */
        bool json;                      /* --json */
        bool bytes;                     /* --bytes */
};

/* Verb handlers: argv[0] is the verb name; getopt state is reset before the
 * call. Return an exit code. */
typedef int (*cli_verb_fn)(struct cli *cli, int argc, char *argv[]);

/* Parse a verb's options: its own table (terminated by a zero entry) merged
 * with the global ones, which update cli. Each own option is handed to
 * handle(); returning < 0 from it is a usage error already reported.
 * Returns optind (the first operand) or -1 after a usage error was printed. */
int cli_parse_options(struct cli *cli, int argc, char *argv[],
                      const char *shortopts, const struct option *own,
                      int (*handle)(int opt, const char *arg, void *userdata),
                      void *userdata);

/* Report errors: "dmabufctl: <message>" on stderr. cli_usage_error() adds
 * the line "Try 'dmabufctl --help'." and returns EXIT_USAGE; cli_error()
 * returns EXIT_FAIL, for convenient `return`. */
int cli_error(const char *fmt, ...) _printf_(1, 2);
int cli_usage_error(const char *fmt, ...) _printf_(1, 2);
void cli_warn(const char *fmt, ...) _printf_(1, 2);

/* Open the cgroup root of cli, reporting failure as one line. Returns 0 or
 * EXIT_FAIL. */
int cli_open_root(struct cli *cli, struct dbc_root **ret);

/* Load the configuration of cli (--config or the default, which may be
 * absent), print every problem as FILE:LINE: message and return EXIT_FAIL
 * when it is invalid. Unit policies are resolved; an unresolvable unit is
 * said once on stderr. */
int cli_load_config(struct cli *cli, struct dbc_config **ret);

/* Print configuration problems on stderr, one "FILE:LINE: message" each. */
void cli_print_diags(const struct dbc_diags *d);

/* Parse the size argument of a verb's option; flags: DBC_SIZE_ALLOW_PERCENT
 * for memory.max and memory.high. A bad one is a usage error already
 * reported ("VERB: OPTION: invalid size "1.5Q": unknown unit "Q" ..."): -1. */
struct dbc_size;
int cli_parse_size_option(const char *verb, const char *option, const char *arg, unsigned flags,
                          struct dbc_size *ret);

/* The bytes of a parsed size; a percentage is taken of the physical memory
 * (MemTotal of the --proc-root's meminfo), and the result said on stderr
 * ("VERB: OPTION 50% of physical memory (16G): 8.0G (8589934592 bytes)").
 * Returns 0 or EXIT_FAIL (reported). */
int cli_resolve_size(struct cli *cli, const char *verb, const char *option, const struct dbc_size *sz,
                     uint64_t *ret);

/* -o/--output LIST, -n/--noheadings, -r/--raw of the verbs that print
 * tables (output.c). A verb adds CLI_OUTPUT_OPTIONS to its options and "o:nr"
 * (top: "o:r", its -n counts refreshes) to its short options, and hands
 * every option to cli_output_handle() first. */
struct cli_output {
        const char *list;       /* -o as given */
        bool noheadings;
        bool raw;
        char **names;           /* -o resolved; NULL: the default columns */
        bool add;               /* -o +LIST: names follow the default columns */
};
enum { CLI_OPT_OUTPUT = 'o', CLI_OPT_NOHEADINGS = 'n', CLI_OPT_RAW = 'r' };
#define CLI_OUTPUT_OPTIONS \
        { "output",     required_argument, NULL, CLI_OPT_OUTPUT }, \
        { "noheadings", no_argument,       NULL, CLI_OPT_NOHEADINGS }, \
        { "raw",        no_argument,       NULL, CLI_OPT_RAW }
#define CLI_OUTPUT_HELP (-100)

/* 1 when opt was one of the three (and is noted), else 0. */
int cli_output_handle(struct cli_output *o, int opt, const char *arg);
/* After the options: check -o against the columns the verb's tables offer;
 * with --json (which always prints every field) the three are refused.
 * Returns 0; CLI_OUTPUT_HELP after `--output help` printed the columns (the
 * verb exits 0); EXIT_USAGE or EXIT_FAIL, reported. */
int cli_output_resolve(struct cli_output *o, const struct cli *cli, const char *verb,
                       const struct dbc_column_set *sets, size_t n_sets);
/* The text options for stdout: these three, --bytes, and the terminal
 * (width, colours). */
void cli_output_text(const struct cli_output *o, const struct cli *cli, struct dbc_table_text *ret);
void cli_output_done(struct cli_output *o);

/* Print the --help text, and a verb's (main.c; -ENOENT: no such verb). */
void cli_help(void);
int cli_verb_help(const char *name);

/* The verbs. */
int verb_status(struct cli *cli, int argc, char *argv[]);
int verb_check_config(struct cli *cli, int argc, char *argv[]);
int verb_buffers(struct cli *cli, int argc, char *argv[]);
int verb_set(struct cli *cli, int argc, char *argv[]);
int verb_apply(struct cli *cli, int argc, char *argv[]);
int verb_run(struct cli *cli, int argc, char *argv[]);
int verb_top(struct cli *cli, int argc, char *argv[]);
