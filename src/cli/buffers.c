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
#include "table.h"

enum { H_PID, H_COMM, H_CGROUP, H_FDS, H_MAPS };
static const struct table_column holder_columns[] = {
        [H_PID]    = { "PID",    "pid",    TABLE_U64 },
        [H_COMM]   = { "COMM",   "comm",   TABLE_STRING },
        [H_CGROUP] = { "CGROUP", "cgroup", TABLE_STRING },
        [H_FDS]    = { "FDS",    "fds",    TABLE_U64 },
        [H_MAPS]   = { "MAPS",   "maps",   TABLE_U64 },
};

enum { B_INODE, B_SIZE, B_EXPORTER, B_NAME, B_CHARGED, B_HOLDERS };
static const struct table_column buffer_columns[] = {
        [B_INODE]    = { "INODE",    "inode",          TABLE_U64 },
        [B_SIZE]     = { "SIZE",     "size",           TABLE_SIZE },
        [B_EXPORTER] = { "EXPORTER", "exporter",       TABLE_STRING },
        [B_NAME]     = { "NAME",     "name",           TABLE_STRING },
        [B_CHARGED]  = { "CHARGED",  "charged_cgroup", TABLE_STRING },
        /* in text, the holders' columns continue the row, one line each */
        [B_HOLDERS]  = { "HOLDERS",  "holders",        TABLE_TABLE },
};
enum { P_PID, P_COMM, P_CGROUP, P_RSS, P_PSS };
static const struct table_column process_columns[] = {
        [P_PID]    = { "PID",    "pid",    TABLE_U64 },
        [P_COMM]   = { "COMM",   "comm",   TABLE_STRING },
        [P_CGROUP] = { "CGROUP", "cgroup", TABLE_STRING },
        [P_RSS]    = { "RSS",    "rss",    TABLE_SIZE },
        [P_PSS]    = { "PSS",    "pss",    TABLE_SIZE },
};

enum { C_CGROUP, C_RSS, C_PSS, C_CHARGED };
static const struct table_column cgroup_columns[] = {
        [C_CGROUP]  = { "CGROUP",  "cgroup",  TABLE_STRING },
        [C_RSS]     = { "RSS",     "rss",     TABLE_SIZE },
        [C_PSS]     = { "PSS",     "pss",     TABLE_SIZE },
        [C_CHARGED] = { "CHARGED", "charged", TABLE_SIZE },
};

struct buffers_args {
        pid_t pid;              /* 0: every process */
        char *cgroup;           /* NULL: every cgroup */
        bool *bytes;
};

enum { OPT_PID = 0x400, OPT_CGROUP, OPT_BYTES };

static int handle_buffers(int opt, const char *arg, void *userdata) {
        struct buffers_args *a = userdata;
        uint64_t v;
        int r;

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

static int fill_holders(const struct dbc_scan *s, const struct dbc_buffer *b, struct table **ret) {
        struct table *t = calloc(1, sizeof(*t));

        if (!t)
                return -ENOMEM;
        table_init(t, holder_columns, ELEMENTSOF(holder_columns));
        if (table_reserve(t, b->n_holders) < 0) {
                free(t);
                return -ENOMEM;
        }
        for (size_t h = 0; h < b->n_holders; h++) {
                const struct dbc_proc *p = &s->procs[b->holders[h].proc];
                int row = table_add_row(t);

                if (row < 0 ||
                    table_set_string(t, (size_t) row, H_COMM, p->comm) < 0 ||
                    table_set_string(t, (size_t) row, H_CGROUP, p->cgroup) < 0) {
                        table_done(t);
                        free(t);
                        return -ENOMEM;
                }
                table_set_u64(t, (size_t) row, H_PID, (uint64_t) p->pid);
                table_set_u64(t, (size_t) row, H_FDS, b->holders[h].fds);
                table_set_u64(t, (size_t) row, H_MAPS, b->holders[h].maps);
        }
        *ret = t;
        return 0;
}

static int fill_tables(const struct buffers_args *a, const struct dbc_scan *s,
                       struct table *bt, struct table *pt, struct table *ct) {
        for (size_t i = 0; i < s->n_buffers; i++) {
                const struct dbc_buffer *b = &s->buffers[i];
                struct table *holders;
                int row;

                if (!buffer_selected(a, s, b))
                        continue;
                row = table_add_row(bt);
                if (row < 0 || fill_holders(s, b, &holders) < 0)
                        return -ENOMEM;
                table_set_table(bt, (size_t) row, B_HOLDERS, holders);
                table_set_u64(bt, (size_t) row, B_INODE, b->inode);
                table_set_u64(bt, (size_t) row, B_SIZE, b->size);
                if (table_set_string(bt, (size_t) row, B_EXPORTER, b->exporter) < 0 ||
                    table_set_string(bt, (size_t) row, B_NAME, b->name) < 0 ||
                    table_set_string(bt, (size_t) row, B_CHARGED, b->charged_cgroup) < 0)
                        return -ENOMEM;
        }
        for (size_t i = 0; i < s->n_procs; i++) {
                const struct dbc_proc *p = &s->procs[i];
                int row;

                if (!proc_selected(a, p))
                        continue;
                row = table_add_row(pt);
                if (row < 0 ||
                    table_set_string(pt, (size_t) row, P_COMM, p->comm) < 0 ||
                    table_set_string(pt, (size_t) row, P_CGROUP, p->cgroup) < 0)
                        return -ENOMEM;
                table_set_u64(pt, (size_t) row, P_PID, (uint64_t) p->pid);
                table_set_u64(pt, (size_t) row, P_RSS, p->rss);
                table_set_u64(pt, (size_t) row, P_PSS, p->pss);
        }
        for (size_t i = 0; i < s->n_cgroups; i++) {
                const struct dbc_cgroup_use *u = &s->cgroups[i];
                int row;

                if (!cgroup_selected(a, s, u))
                        continue;
                row = table_add_row(ct);
                if (row < 0 || table_set_string(ct, (size_t) row, C_CGROUP, u->cgroup) < 0)
                        return -ENOMEM;
                table_set_u64(ct, (size_t) row, C_RSS, u->rss);
                table_set_u64(ct, (size_t) row, C_PSS, u->pss);
                table_set_u64(ct, (size_t) row, C_CHARGED, u->charged);
        }
        return 0;
}

/* Biggest first; ties in a fixed order so output is stable. */
static int cmp_buffer(const struct table_cell *a, const struct table_cell *b) {
        if (a[B_SIZE].u != b[B_SIZE].u)
                return a[B_SIZE].u > b[B_SIZE].u ? -1 : 1;
        return a[B_INODE].u < b[B_INODE].u ? -1 : a[B_INODE].u > b[B_INODE].u;
}

static int cmp_process(const struct table_cell *a, const struct table_cell *b) {
        if (a[P_PSS].u != b[P_PSS].u)
                return a[P_PSS].u > b[P_PSS].u ? -1 : 1;
        return a[P_PID].u < b[P_PID].u ? -1 : a[P_PID].u > b[P_PID].u;
}

static int cmp_cgroup(const struct table_cell *a, const struct table_cell *b) {
        uint64_t x = a[C_PSS].u > a[C_CHARGED].u ? a[C_PSS].u : a[C_CHARGED].u;
        uint64_t y = b[C_PSS].u > b[C_CHARGED].u ? b[C_PSS].u : b[C_CHARGED].u;

        if (x != y)
                return x > y ? -1 : 1;
        return strcmp(a[C_CGROUP].s, b[C_CGROUP].s);
}

static void print_json(struct table *bt, struct table *pt, struct table *ct) {
        struct dbc_json j;

        dbc_json_init(&j, stdout);
        dbc_json_begin_object(&j);
        dbc_json_key(&j, "buffers");
        table_print_json_value(bt, &j);
        dbc_json_key(&j, "processes");
        table_print_json_value(pt, &j);
        dbc_json_key(&j, "cgroups");
        table_print_json_value(ct, &j);
        dbc_json_end_object(&j);
}

static void print_text(struct table *bt, struct table *pt, struct table *ct, bool bytes) {
        table_print_text(bt, stdout, bytes);
        fputc('\n', stdout);
        table_print_text(pt, stdout, bytes);
        fputc('\n', stdout);
        table_print_text(ct, stdout, bytes);
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
                {}
        };
        struct buffers_args a = { .bytes = &cli->bytes };
        struct dbc_scan_params p = { .proc_root = cli->proc_root, .sysfs_root = cli->sysfs_root };
        struct table bt, pt, ct;
        struct dbc_scan_error err;
        struct dbc_scan *s = NULL;
        struct dbc_root *root = NULL;
        const char *root_error = NULL;
        int k, r, ret = EXIT_OK;

        k = cli_parse_options(cli, argc, argv, "", opts, handle_buffers, &a);
        if (k < 0) {
                free(a.cgroup);
                return EXIT_USAGE;
        }
        if (k < argc) {
                free(a.cgroup);
                return cli_usage_error("buffers: unexpected argument \"%s\" (use --pid or --cgroup)", argv[k]);
        }

        table_init(&bt, buffer_columns, ELEMENTSOF(buffer_columns));
        table_set_sub_columns(&bt, holder_columns, ELEMENTSOF(holder_columns));
        table_init(&pt, process_columns, ELEMENTSOF(process_columns));
        table_init(&ct, cgroup_columns, ELEMENTSOF(cgroup_columns));

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
        table_sort(&bt, cmp_buffer);
        table_sort(&pt, cmp_process);
        table_sort(&ct, cmp_cgroup);

        notice(cli, s, root_error);
        if (cli->json)
                print_json(&bt, &pt, &ct);
        else
                print_text(&bt, &pt, &ct, cli->bytes);
        if (fflush(stdout) != 0)
                ret = cli_error("cannot write the output: %s", strerror(errno));
out:
        table_done(&bt);
        table_done(&pt);
        table_done(&ct);
        dbc_scan_free(s);
        dbc_root_free(root);
        free(a.cgroup);
        return ret;
}
