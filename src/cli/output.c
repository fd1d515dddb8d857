/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* -o/--output, -n/--noheadings, -r/--raw: the shape of text tables. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "dmabufctl/escape.h"

int cli_output_handle(struct cli_output *o, int opt, const char *arg) {
        switch (opt) {
        case CLI_OPT_OUTPUT:
                o->list = arg;
                return 1;
        case CLI_OPT_NOHEADINGS:
                o->noheadings = true;
                return 1;
        case CLI_OPT_RAW:
                o->raw = true;
                return 1;
        }
        return 0;
}

int cli_output_resolve(struct cli_output *o, const struct cli *cli, const char *verb,
                       const struct dbc_column_set *sets, size_t n_sets) {
        _cleanup_free_ char *bad = NULL, *escaped = NULL;
        int r;

        if (o->list && streq(o->list, "help")) {
                dbc_output_help(stdout, sets, n_sets);
                return fflush(stdout) == 0 ? CLI_OUTPUT_HELP : cli_error("cannot write: %s", strerror(errno));
        }
        /* Said, not ignored: the JSON of the contract has every field. */
        if (cli->json && (o->list || o->noheadings || o->raw))
                return cli_usage_error("%s: %s shapes text tables only; --json always prints every field", verb,
                                       o->list ? "--output" : o->noheadings ? "--noheadings" : "--raw");
        if (!o->list)
                return 0;
        r = dbc_output_parse(o->list, sets, n_sets, &o->names, &o->add, &bad);
        if (r == -ENOMEM)
                return cli_error("out of memory");
        if (r < 0) {
                escaped = dbc_escape_text(bad);
                return cli_usage_error("%s: --output: unknown column \"%s\" (--output help lists them)", verb,
                                       escaped ? escaped : "?");
        }
        return 0;
}

void cli_output_text(const struct cli_output *o, const struct cli *cli, struct dbc_table_text *ret) {
        *ret = (struct dbc_table_text) {
                .bytes = cli->bytes,
                .noheadings = o->noheadings,
                .raw = o->raw,
                .names = o->names,
                .add_names = o->add,
        };
        dbc_table_text_terminal(ret, STDOUT_FILENO);
}

void cli_output_done(struct cli_output *o) {
        dbc_output_free(o->names);
        o->names = NULL;
}
