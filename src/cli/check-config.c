/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <string.h>

#include "cli.h"

/* `dmabufctl check-config [PATH]`: quiet when the configuration is valid
 * (like systemd-analyze verify), every problem on stderr otherwise. */
int verb_check_config(struct cli *cli, int argc, char *argv[]) {
        _cleanup_(dbc_diags_clear) struct dbc_diags diags = {};
        struct dbc_config *c = NULL;
        const char *path;
        int first, k;

        first = cli_parse_options(cli, argc, argv, "", NULL, NULL, NULL);
        if (first < 0)
                return EXIT_USAGE;
        if (argc - first > 1)
                return cli_usage_error("check-config: too many arguments (one PATH at most)");
        path = first < argc ? argv[first] : cli->config_path ? cli->config_path : DBC_CONFIG_PATH;
        if (!*path)
                return cli_usage_error("check-config: empty PATH");

        k = dbc_config_load(path, true, &c, &diags);
        if (k == -EINVAL) {
                cli_print_diags(&diags);
                return EXIT_FAIL;
        }
        if (k < 0)
                return cli_error("%s: %s", path, strerror(-k));
        dbc_config_free(c);
        return EXIT_OK;
}
