/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "dmabufctl/attribution.h"
#include "dmabufctl/json.h"
#include "dmabufctl/size.h"
#include "dmabufctl/rows.h"

struct buffers_args {
        pid_t pid;              /* 0: every process */
        char *cgroup;           /* NULL: every cgroup */
        bool *bytes;
        struct cli_output out;
};

enum { OPT_PID = 0x400, OPT_CGROUP, OPT_BYTES };

static int handle_buffers(int opt, const char *arg, void *userdata) {
        struct buffers_args *a = userdata;
        uint64_t v;
        int r;

        if (cli_output_handle(&a->out, opt, arg))
                return 0;
        switch (opt) {
        case OPT_PID:
                if (dbc_parse_u64(arg, &v) < 0 || v == 0 || v > INT32_MAX)
                        return cli_usage_error("buffers: --pid takes a process id, not \"%s\"", arg), -1;
                a->pid = (pid_t) v;
                return 0;
        case OPT_CGROUP:
                free(a->cgroup);
                a->cgroup = NULL;
                r = dbc_cgroup_path_normalize(arg, &a->cgroup);
                if (r == -EXDEV)
                        return cli_usage_error("buffers: --cgroup %s: a cgroup path may not contain \"..\" (it must stay below the root)", arg), -1;
                if (r < 0)
                        return cli_usage_error("buffers: --cgroup \"%s\" is not a cgroup path", arg), -1;
                return 0;
        case OPT_BYTES:
                *a->bytes = true;
                return 0;
        }
        return -1;
}

/* Is path cgroup or below it? */
static bool in_subtree(const char *path, const char *cgroup) {
        size_t n = strlen(cgroup);

        if (!path)
                return false;
        if (streq(cgroup, "/"))
                return true;
        return strneq(path, cgroup, n) && (path[n] == '\0' || path[n] == '/');
}

static bool proc_selected(const struct buffers_args *a, const struct dbc_proc *p) {
        if (a->pid && p->pid != a->pid)
                return false;
        if (a->cgroup && !in_subtree(p->cgroup, a->cgroup))
                return false;
        return true;
}

static bool buffer_selected(const struct buffers_args *a, const struct dbc_scan *s, const struct dbc_buffer *b) {
        if (!a->pid && !a->cgroup)
                return true;
        for (size_t h = 0; h < b->n_holders; h++)
                if (proc_selected(a, &s->procs[b->holders[h].proc]))
                        return true;
        /* --cgroup also shows what is charged to the subtree but held elsewhere */
        return !a->pid && a->cgroup && in_subtree(b->charged_cgroup, a->cgroup);
}

static bool cgroup_selected(const struct buffers_args *a, const struct dbc_scan *s, const struct dbc_cgroup_use *u) {
        if (a->cgroup && !in_subtree(u->cgroup, a->cgroup))
                return false;
        if (a->pid) {
                for (size_t i = 0; i < s->n_procs; i++)
                        if (s->procs[i].pid == a->pid && s->procs[i].cgroup && streq(s->procs[i].cgroup, u->cgroup))
                                return true;
                return false;
        }
        return true;
}

static int fill_tables(const struct buffers_args *a, const struct dbc_scan *s,
                       struct dbc_table *bt, struct dbc_table *pt, struct dbc_table *ct) {
        /* at most every buffer, process and cgroup: one allocation each */
        if (dbc_table_reserve(bt, s->n_buffers) < 0 || dbc_table_reserve(pt, s->n_procs) < 0 ||
            dbc_table_reserve(ct, s->n_cgroups) < 0)
                return -ENOMEM;
        for (size_t i = 0; i < s->n_buffers; i++)
                if (buffer_selected(a, s, &s->buffers[i]) && dbc_buffer_row_add(bt, s, &s->buffers[i]) < 0)
                        return -ENOMEM;
        for (size_t i = 0; i < s->n_procs; i++)
                if (proc_selected(a, &s->procs[i]) && dbc_process_row_add(pt, &s->procs[i]) < 0)
                        return -ENOMEM;
        for (size_t i = 0; i < s->n_cgroups; i++)
                if (cgroup_selected(a, s, &s->cgroups[i]) && dbc_use_row_add(ct, &s->cgroups[i]) < 0)
                        return -ENOMEM;
        return 0;
}

/* Biggest first; ties in a fixed order so output is stable. */
static int cmp_buffer(const struct dbc_table_cell *a, const struct dbc_table_cell *b) {
        if (a[DBC_BUFFER_SIZE].u != b[DBC_BUFFER_SIZE].u)
                return a[DBC_BUFFER_SIZE].u > b[DBC_BUFFER_SIZE].u ? -1 : 1;
        return a[DBC_BUFFER_INODE].u < b[DBC_BUFFER_INODE].u ? -1 : a[DBC_BUFFER_INODE].u > b[DBC_BUFFER_INODE].u;
}

static int cmp_process(const struct dbc_table_cell *a, const struct dbc_table_cell *b) {
        if (a[DBC_PROCESS_PSS].u != b[DBC_PROCESS_PSS].u)
                return a[DBC_PROCESS_PSS].u > b[DBC_PROCESS_PSS].u ? -1 : 1;
        return a[DBC_PROCESS_PID].u < b[DBC_PROCESS_PID].u ? -1 : a[DBC_PROCESS_PID].u > b[DBC_PROCESS_PID].u;
}

static int cmp_cgroup(const struct dbc_table_cell *a, const struct dbc_table_cell *b) {
        uint64_t x = a[DBC_USE_PSS].u > a[DBC_USE_CHARGED].u ? a[DBC_USE_PSS].u : a[DBC_USE_CHARGED].u;
        uint64_t y = b[DBC_USE_PSS].u > b[DBC_USE_CHARGED].u ? b[DBC_USE_PSS].u : b[DBC_USE_CHARGED].u;

        if (x != y)
                return x > y ? -1 : 1;
        return strcmp(a[DBC_USE_CGROUP].s, b[DBC_USE_CGROUP].s);
}

static void print_json(struct dbc_table *bt, struct dbc_table *pt, struct dbc_table *ct) {
        struct dbc_json j;

        dbc_json_init(&j, stdout);
        dbc_json_begin_object(&j);
        dbc_json_key(&j, "buffers");
        dbc_table_print_json_value(bt, &j);
        dbc_json_key(&j, "processes");
        dbc_table_print_json_value(pt, &j);
        dbc_json_key(&j, "cgroups");
        dbc_table_print_json_value(ct, &j);
        dbc_json_end_object(&j);
}

/* The three tables, a blank line between; with -o, a table holding none of
 * the named columns is left out. */
static int print_text(struct dbc_table *bt, struct dbc_table *pt, struct dbc_table *ct, const struct dbc_table_text *o) {
        struct dbc_table *tables[] = { bt, pt, ct };
        bool any = false;

        for (size_t i = 0; i < ELEMENTSOF(tables); i++) {
                _cleanup_free_ char *text = NULL;
                size_t size = 0;
                FILE *f = open_memstream(&text, &size);
                int r;

                if (!f)
                        return -ENOMEM;
                r = dbc_table_print_text(tables[i], f, o);
                if (fclose(f) != 0 || r < 0)
                        return -ENOMEM;
                if (r == 0)
                        continue;
                if (any)
                        fputc('\n', stdout);
                fputs(text, stdout);
                any = true;
        }
        return 0;
}

static void notice(struct cli *cli, const struct dbc_scan *s, const char *root_error) {
        if (s->n_denied > 0 && geteuid() != 0)
                cli_warn("note: could not read the fds or maps of %u of %u processes (%s): "
                         "their dma-bufs are missing; run as root to see every process",
                         s->n_denied, s->n_scanned, strerror(s->denied_errno));
        else if (s->n_denied > 0)
                cli_warn("note: could not read the fds or maps of %u of %u processes (%s, even as root: "
                         "a security module or another user namespace): their dma-bufs are missing",
                         s->n_denied, s->n_scanned, strerror(s->denied_errno));
        if (s->n_malformed > 0)
                cli_warn("note: skipped %u malformed dma-buf fdinfo %s (not as the kernel writes it; first: %s)",
                         s->n_malformed, s->n_malformed == 1 ? "file" : "files", s->malformed_path);
        if (s->n_unresolved > 0 && root_error)
                cli_warn("note: %u %s charged to a cgroup that cannot be named: cgroup root: %s",
                         s->n_unresolved, s->n_unresolved == 1 ? "buffer is" : "buffers are", root_error);
        else if (s->n_unresolved > 0)
                cli_warn("note: %u %s charged to a cgroup id that is not below the cgroup root "
                         "(a removed cgroup, or another cgroup namespace)",
                         s->n_unresolved, s->n_unresolved == 1 ? "buffer is" : "buffers are");
}

/* Does the process exist at all (--pid of a process holding nothing)? */
static bool pid_exists(const char *proc_root, pid_t pid) {
        char p[PATH_MAX];
        struct stat st;

        snprintf(p, sizeof(p), "%s/%d", proc_root, (int) pid);
        return stat(p, &st) == 0;
}

int verb_buffers(struct cli *cli, int argc, char *argv[]) {
        static const struct option opts[] = {
                { "pid",    required_argument, NULL, OPT_PID },
                { "cgroup", required_argument, NULL, OPT_CGROUP },
                { "bytes",  no_argument,       NULL, OPT_BYTES },
                CLI_OUTPUT_OPTIONS,
                {}
        };
        struct buffers_args a = { .bytes = &cli->bytes };
        struct dbc_scan_params p = { .proc_root = cli->proc_root, .sysfs_root = cli->sysfs_root };
        static const struct dbc_column_set sets[] = {
                { dbc_buffer_columns, ELEMENTSOF(dbc_buffer_columns) },
                { dbc_holder_columns, ELEMENTSOF(dbc_holder_columns) },
                { dbc_process_columns, ELEMENTSOF(dbc_process_columns) },
                { dbc_use_columns, ELEMENTSOF(dbc_use_columns) },
        };
        struct dbc_table bt, pt, ct;
        struct dbc_table_text text;
        struct dbc_scan_error err;
        struct dbc_scan *s = NULL;
        struct dbc_root *root = NULL;
        const char *root_error = NULL;
        int k, r, ret = EXIT_OK;

        dbc_buffer_table_init(&bt);
        dbc_table_init(&pt, dbc_process_columns, ELEMENTSOF(dbc_process_columns));
        dbc_table_init(&ct, dbc_use_columns, ELEMENTSOF(dbc_use_columns));
        k = cli_parse_options(cli, argc, argv, "o:nr", opts, handle_buffers, &a);
        if (k < 0) {
                ret = EXIT_USAGE;
                goto out;
        }
        if (k < argc) {
                ret = cli_usage_error("buffers: unexpected argument \"%s\" (use --pid or --cgroup)", argv[k]);
                goto out;
        }
        ret = cli_output_resolve(&a.out, cli, "buffers", sets, ELEMENTSOF(sets));
        if (ret != 0) {
                if (ret == CLI_OUTPUT_HELP)
                        ret = EXIT_OK;
                goto out;
        }

        /* The cgroup tree only names charged cgroups: an explicit --root
         * must work, a detected one may be missing (no cgroup2 at all). */
        if (cli->root_path) {
                ret = cli_open_root(cli, &root);
                if (ret != EXIT_OK)
                        goto out;
        } else if ((r = dbc_root_open(NULL, &root)) < 0)
                root_error = r == -ENOMEDIUM ? "no cgroup2 hierarchy is mounted" : strerror(-r);
        p.cgroup_root = root;

        r = dbc_scan_run(&p, &s, &err);
        if (r == -EINVAL) {
                ret = cli_error("%s: malformed (not a maps file as the kernel writes it)", err.path);
                goto out;
        }
        if (r == -ENOMEM) {
                ret = cli_error("out of memory");
                goto out;
        }
        if (r < 0) {
                ret = cli_error("cannot read %s: %s", err.path[0] ? err.path : cli->proc_root, strerror(-r));
                goto out;
        }
        if (a.pid && !pid_exists(cli->proc_root, a.pid)) {
                ret = cli_error("no process %d in %s", (int) a.pid, cli->proc_root);
                goto out;
        }

        if (fill_tables(&a, s, &bt, &pt, &ct) < 0) {
                ret = cli_error("out of memory");
                goto out;
        }
        dbc_table_sort(&bt, cmp_buffer);
        dbc_table_sort(&pt, cmp_process);
        dbc_table_sort(&ct, cmp_cgroup);

        notice(cli, s, root_error);
        if (cli->json)
                print_json(&bt, &pt, &ct);
        else {
                cli_output_text(&a.out, cli, &text);
                if (print_text(&bt, &pt, &ct, &text) < 0)
                        ret = cli_error("out of memory");
        }
        if (fflush(stdout) != 0)
                ret = cli_error("cannot write the output: %s", strerror(errno));
out:
        cli_output_done(&a.out);
        dbc_table_done(&bt);
        dbc_table_done(&pt);
        dbc_table_done(&ct);
        dbc_scan_free(s);
        dbc_root_free(root);
        free(a.cgroup);
        return ret;
}
