/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * dmabufctl top: the rows of `status`, sorted by dmabuf, refreshed every
 * DELAY, with the change of dmabuf since the last refresh. On a terminal it
 * draws full screen on the alternate screen, sorts by the key pressed (d
 * dmabuf, c current, n name, r rss) and quits on `q`; Ctrl-Z gives the
 * terminal back and `fg` takes it again. On a dumb terminal (TERM=dumb or unset) it
 * prints plain frames as batch mode does, still reading keys; with -b, or
 * when stdout is no terminal, plain frames for scripts; with --json one
 * compact JSON document per frame, one per line.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "cgroup-rows.h"
#include "cli.h"
#include "dmabufctl/attribution.h"
#include "dmabufctl/escape.h"
#include "dmabufctl/json.h"
#include "dmabufctl/size.h"

enum sort_key { SORT_DMABUF, SORT_CURRENT, SORT_NAME, SORT_RSS, _SORT_N };

/* The keys, their --sort names and the column each marks. */
static const struct {
        char key;
        const char *name;
        const char *column;
        int (*cmp)(const struct dbc_table_cell *a, const struct dbc_table_cell *b);
} sort_keys[_SORT_N] = {
        [SORT_DMABUF]  = { 'd', "dmabuf",  "DMABUF",  cgroup_rows_cmp_dmabuf },
        [SORT_CURRENT] = { 'c', "current", "CURRENT", cgroup_rows_cmp_current },
        [SORT_NAME]    = { 'n', "name",    "CGROUP",  cgroup_rows_cmp_name },
        [SORT_RSS]     = { 'r', "rss",     "RSS",     cgroup_rows_cmp_rss },
};

struct top_args {
        uint64_t delay_ms;
        uint64_t iterations;    /* 0: until quit */
        bool batch;
        bool all;
        bool *bytes;
        enum sort_key sort;
        struct cli_output out;
};

/* The previous frame's dmabuf per cgroup, sorted by path. */
struct prev {
        char *path;
        uint64_t dmabuf;
        bool has;
};

struct top {
        struct cli *cli;
        struct top_args *a;
        struct dbc_root *root;
        struct dbc_config *config;
        struct dbc_table table; /* the current frame */
        struct prev *prev;
        size_t n_prev;
        unsigned n_errors;
        char first_error[256];
        bool interactive;       /* full screen on a terminal */
        bool keys;              /* stdin is a terminal we read keys from */
        bool tty;               /* stdout is a terminal (interactive, or plain frames on a dumb one) */
        bool rss;               /* measure RSS (shown, sorted by, or JSON) */
        unsigned rss_errors;    /* frames whose /proc scan failed */
        bool on_screen;         /* the alternate screen is ours */
        bool term_saved;
        struct termios saved;
};

enum { OPT_ALL = 0x500, OPT_BYTES, OPT_SORT, OPT_NOHEADINGS_LONG };

static int handle_top(int opt, const char *arg, void *userdata) {
        struct top_args *a = userdata;
        struct dbc_token bad;
        char why[128];

        /* -n counts refreshes here (as in top and systemd-cgtop): the
         * headings are switched off by the long option alone. */
        if (opt == OPT_NOHEADINGS_LONG)
                return cli_output_handle(&a->out, CLI_OPT_NOHEADINGS, arg) - 1;
        if (opt != 'n' && cli_output_handle(&a->out, opt, arg))
                return 0;
        switch (opt) {
        case 'd':
                if (dbc_duration_parse_full(arg, DBC_DURATION_BARE_SECONDS, &a->delay_ms, &bad) < 0) {
                        _cleanup_free_ char *escaped = dbc_escape_text(arg);

                        return cli_usage_error("top: -d: invalid duration \"%s\": %s (2, 500ms, 2s, 1min 30s)",
                                               escaped ? escaped : "?",
                                               dbc_token_describe(arg, &bad, why, sizeof(why))), -1;
                }
                if (a->delay_ms == 0)
                        return cli_usage_error("top: -d takes a duration above zero, not \"%s\"", arg), -1;
                return 0;
        case OPT_SORT:
                for (enum sort_key k = 0; k < _SORT_N; k++)
                        if (streq(arg, sort_keys[k].name)) {
                                a->sort = k;
                                return 0;
                        }
                return cli_usage_error("top: --sort takes dmabuf, current, name or rss, not \"%s\"", arg), -1;
        case 'n':
                if (dbc_parse_u64(arg, &a->iterations) < 0 || a->iterations == 0)
                        return cli_usage_error("top: -n takes a number of refreshes above zero, not \"%s\"", arg), -1;
                return 0;
        case 'b':
                a->batch = true;
                return 0;
        case OPT_ALL:
                a->all = true;
                return 0;
        case OPT_BYTES:
                *a->bytes = true;
                return 0;
        }
        return -1;
}

static void prev_free(struct top *tp) {
        for (size_t i = 0; i < tp->n_prev; i++)
                free(tp->prev[i].path);
        free(tp->prev);
        tp->prev = NULL;
        tp->n_prev = 0;
}

static int cmp_prev(const void *a, const void *b) {
        return strcmp(((const struct prev *) a)->path, ((const struct prev *) b)->path);
}

/* Fill the CHANGE column from the previous frame, then remember this one. */
static int apply_deltas(struct top *tp) {
        struct dbc_table *t = &tp->table;
        struct prev *next = calloc(t->n_rows + 1, sizeof(*next));

        if (!next)
                return -ENOMEM;
        for (size_t r = 0; r < t->n_rows; r++) {
                const struct dbc_table_cell *row = dbc_table_cell(t, r, 0);
                struct prev key = { .path = row[DBC_STATUS_CGROUP].s }, *p = NULL;

                if (tp->prev)
                        p = bsearch(&key, tp->prev, tp->n_prev, sizeof(key), cmp_prev);
                if (p && p->has && !row[DBC_STATUS_DMABUF].null)
                        dbc_table_set_delta(t, r, DBC_TOP_CHANGE, (int64_t) (row[DBC_STATUS_DMABUF].u - p->dmabuf));
                next[r].path = strdup(row[DBC_STATUS_CGROUP].s);
                if (!next[r].path) {
                        for (size_t i = 0; i < r; i++)
                                free(next[i].path);
                        free(next);
                        return -ENOMEM;
                }
                next[r].has = !row[DBC_STATUS_DMABUF].null;
                next[r].dmabuf = row[DBC_STATUS_DMABUF].u;
        }
        prev_free(tp);
        if (t->n_rows > 1)
                qsort(next, t->n_rows, sizeof(*next), cmp_prev);
        tp->prev = next;
        tp->n_prev = t->n_rows;
        return 0;
}

/* The RSS column: dma-buf mapped or held by each cgroup's processes, from
 * one scan of the proc root. A failed scan leaves it unknown ("-"). */
static int fill_rss(struct top *tp) {
        struct dbc_scan_params p = {
                .proc_root = tp->cli->proc_root,
                .sysfs_root = tp->cli->sysfs_root,
                .cgroup_root = tp->root,
        };
        struct dbc_scan_error err;
        struct dbc_scan *s = NULL;
        int r;

        r = dbc_scan_run(&p, &s, &err);
        if (r == -ENOMEM)
                return r;
        if (r < 0) {
                tp->rss_errors++;
                return 0;
        }
        for (size_t i = 0; i < tp->table.n_rows; i++) {
                struct dbc_table_cell *row = dbc_table_cell(&tp->table, i, 0);
                uint64_t rss = 0;

                for (size_t u = 0; u < s->n_cgroups; u++)
                        if (streq(s->cgroups[u].cgroup, row[DBC_STATUS_CGROUP].s))
                                rss = s->cgroups[u].rss;
                dbc_table_set_u64(&tp->table, i, DBC_TOP_RSS, rss);
        }
        dbc_scan_free(s);
        return 0;
}

static int sample(struct top *tp) {
        struct cgroup_rows cr = {
                .config = tp->config,
                .table = &tp->table,
                .all = tp->a->all,
                .quiet = tp->interactive,
        };
        int r;

        dbc_table_done(&tp->table);
        dbc_table_init(&tp->table, dbc_top_columns, ELEMENTSOF(dbc_top_columns));
        r = cgroup_rows_walk(&cr, tp->root);
        if (r < 0)
                return r;
        tp->n_errors = cr.n_errors;
        memcpy(tp->first_error, cr.first_error, sizeof(tp->first_error));
        if (tp->rss) {
                r = fill_rss(tp);
                if (r < 0)
                        return r;
        }
        dbc_table_sort(&tp->table, sort_keys[tp->a->sort].cmp);
        return apply_deltas(tp);
}

/* Print s cut to cols screen columns (wcwidth(); colour sequences take
 * none), then clear the rest of the line. A cut through coloured text ends
 * the colour, so it cannot run into the next line. */
static void put_line(const char *s, size_t len, unsigned cols) {
        bool cut;
        size_t n = dbc_text_fit(s, len, cols, &cut);

        fwrite(s, 1, n, stdout);
        if (cut && memchr(s, '\033', n))
                fputs("\033[0m", stdout);
        fputs("\033[K\r\n", stdout);
}

/* The text options of a frame: the sort column marked on a terminal. */
static void frame_text(struct top *tp, struct dbc_table_text *o) {
        cli_output_text(&tp->a->out, tp->cli, o);
        if (tp->rss && (!o->names || o->add_names)) {
                /* RSS asked for by sorting on it: shown as well (every
                 * column: what -o +LIST adds is among them) */
                static char *with_rss[_DBC_TOP_N + 1];

                for (size_t i = 0, k = 0; i < ELEMENTSOF(dbc_top_columns); i++)
                        with_rss[k++] = (char *) dbc_top_columns[i].name;
                o->names = with_rss;
                o->add_names = false;
        }
        if (tp->tty) {
                o->marked = sort_keys[tp->a->sort].column;
                o->mark = "*";
        }
}

static void draw(struct top *tp) {
        struct winsize ws = { .ws_row = 24, .ws_col = 80 };
        struct dbc_table_text o;
        _cleanup_free_ char *text = NULL;
        char when[32], head[512], delay[DBC_FORMAT_MAX];
        size_t size = 0;
        unsigned line = 0;
        time_t now = time(NULL);
        FILE *f;

        if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) < 0 || ws.ws_row == 0 || ws.ws_col == 0)
                ws = (struct winsize) { .ws_row = 24, .ws_col = 80 };
        strftime(when, sizeof(when), "%H:%M:%S", localtime(&now));
        /* No total: memory.stat is hierarchical, the rows overlap. */
        snprintf(head, sizeof(head), "dmabufctl top  %s  every %s  %zu cgroups  sort: %s (d c n r)  q quits",
                 when, dbc_duration_format(tp->a->delay_ms, delay), tp->table.n_rows, sort_keys[tp->a->sort].name);

        f = open_memstream(&text, &size);
        if (!f)
                return;
        frame_text(tp, &o);
        o.width = ws.ws_col;    /* the window, whatever $COLUMNS says */
        (void) dbc_table_print_text(&tp->table, f, &o);
        if (fclose(f) != 0)
                return;

        fputs("\033[H", stdout);
        put_line(head, strlen(head), ws.ws_col);
        line++;
        if (tp->n_errors > 0) {
                char err[512];

                snprintf(err, sizeof(err), "%u unreadable: %s", tp->n_errors, tp->first_error);
                put_line(err, strlen(err), ws.ws_col);
        } else
                put_line("", 0, ws.ws_col);
        line++;
        for (const char *p = text; p && *p && line < ws.ws_row; line++) {
                const char *nl = strchrnul(p, '\n');

                /* libsmartcols fits what gives way; figures and states
                 * never do, so a narrow window still cuts the line here */
                put_line(p, (size_t) (nl - p), ws.ws_col);
                p = *nl ? nl + 1 : nl;
        }
        fputs("\033[J", stdout);
        fflush(stdout);
}

static int print_frame(struct top *tp, uint64_t iteration) {
        struct dbc_table_text o;

        if (tp->interactive) {
                draw(tp);
                return 0;
        }
        if (tp->cli->json) {
                /* JSON Lines: one compact document per frame */
                struct dbc_json j;

                dbc_json_init_compact(&j, stdout);
                dbc_table_print_json_value(&tp->table, &j);
        } else {
                if (iteration > 0)
                        fputc('\n', stdout);
                frame_text(tp, &o);
                if (dbc_table_print_text(&tp->table, stdout, &o) < 0)
                        return -ENOMEM;
        }
        if (tp->n_errors > 0)
                cli_warn("%u cgroups could not be read; the first: %s", tp->n_errors, tp->first_error);
        if (fflush(stdout) != 0)
                return -errno;
        return 0;
}

/* Keys without Enter or echo; signals (Ctrl-C, Ctrl-Z) still work. */
static void keys_enter(struct top *tp) {
        struct termios raw;

        if (!tp->keys || tp->term_saved || tcgetattr(STDIN_FILENO, &tp->saved) < 0)
                return;
        raw = tp->saved;
        raw.c_lflag &= ~(tcflag_t) (ICANON | ECHO);
        raw.c_cc[VMIN] = 0;
        raw.c_cc[VTIME] = 0;
        if (tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0)
                tp->term_saved = true;
}

static void term_enter(struct top *tp) {
        keys_enter(tp);
        if (!tp->interactive || tp->on_screen)
                return;
        /* alternate screen, cursor hidden */
        fputs("\033[?1049h\033[?25l\033[H\033[2J", stdout);
        fflush(stdout);
        tp->on_screen = true;
}

/* Give the terminal back as it was; idempotent. */
static void term_leave(struct top *tp) {
        if (tp->on_screen) {
                tp->on_screen = false;
                fputs("\033[?25h\033[?1049l", stdout);
                fflush(stdout);
        }
        if (tp->term_saved)
                tcsetattr(STDIN_FILENO, TCSADRAIN, &tp->saved);
        tp->term_saved = false;
}

/* Ctrl-Z: give the terminal back, stop as the shell expects, and take it
 * again when continued (fg). */
static void suspend(struct top *tp) {
        sigset_t tstp;

        term_leave(tp);
        sigemptyset(&tstp);
        sigaddset(&tstp, SIGTSTP);
        /* SIGTSTP is blocked for the signalfd: let it stop us with its
         * default action, then block it again once continued. */
        (void) raise(SIGTSTP);
        (void) sigprocmask(SIG_UNBLOCK, &tstp, NULL);
        (void) sigprocmask(SIG_BLOCK, &tstp, NULL);
        term_enter(tp);
        if (tp->interactive)
                draw(tp);
}

static uint64_t now_ms(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000 + (uint64_t) ts.tv_nsec / 1000000;
}

enum wait_result { WAIT_TICK, WAIT_QUIT, WAIT_RESORT };

/* A key: q quits, a sort key re-sorts (and the caller redraws). */
static int key(struct top *tp, char c) {
        if (c == 'q' || c == 'Q')
                return WAIT_QUIT;
        for (enum sort_key k = 0; k < _SORT_N; k++)
                if (c == sort_keys[k].key) {
                        tp->a->sort = k;
                        return WAIT_RESORT;
                }
        return -1;
}

/* Sleep until the next refresh, redrawing on SIGWINCH and SIGCONT,
 * suspending on SIGTSTP; quit on q, SIGINT, SIGTERM, SIGHUP. Returns a
 * wait_result or a negative errno. */
static int wait_next(struct top *tp, int sfd, uint64_t deadline) {
        bool keys = tp->term_saved;

        for (;;) {
                struct pollfd pfd[2] = {
                        { .fd = sfd, .events = POLLIN },
                        { .fd = keys ? STDIN_FILENO : -1, .events = POLLIN },
                };
                uint64_t now = now_ms();
                int k;

                if (now >= deadline)
                        return WAIT_TICK;
                k = poll(pfd, 2, (int) (deadline - now > 60000 ? 60000 : deadline - now));
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (pfd[0].revents & POLLIN) {
                        struct signalfd_siginfo si;

                        if (read(sfd, &si, sizeof(si)) == sizeof(si)) {
                                if (si.ssi_signo == SIGTSTP) {
                                        suspend(tp);
                                        keys = tp->term_saved;
                                } else if (si.ssi_signo == SIGCONT) {
                                        /* continued after a stop we did not ask for (SIGSTOP) */
                                        term_enter(tp);
                                        keys = tp->term_saved;
                                        if (tp->interactive)
                                                draw(tp);
                                } else if (si.ssi_signo == SIGWINCH) {
                                        if (tp->interactive)
                                                draw(tp);
                                } else
                                        return WAIT_QUIT;
                        }
                }
                if (pfd[1].revents & POLLIN) {
                        char buf[64];
                        ssize_t n = read(STDIN_FILENO, buf, sizeof(buf));
                        int w = -1;

                        if (n == 0)
                                keys = false;   /* no more input: keep going */
                        for (ssize_t i = 0; i < n; i++) {
                                int kk = key(tp, buf[i]);
                                if (kk == WAIT_QUIT)
                                        return WAIT_QUIT;
                                if (kk >= 0)
                                        w = kk;
                        }
                        if (w == WAIT_RESORT) {
                                dbc_table_sort(&tp->table, sort_keys[tp->a->sort].cmp);
                                if (tp->interactive)
                                        draw(tp);
                        }
                } else if (pfd[1].revents & (POLLHUP | POLLERR))
                        keys = false;
        }
}

static int run(struct top *tp, int sfd) {
        uint64_t deadline = now_ms();
        int r;

        for (uint64_t i = 0; !tp->a->iterations || i < tp->a->iterations; i++) {
                if (i > 0) {
                        r = wait_next(tp, sfd, deadline);
                        if (r < 0) {
                                term_leave(tp);
                                return cli_error("top: cannot wait for the next refresh: %s", strerror(-r));
                        }
                        if (r == WAIT_QUIT)
                                return EXIT_OK;
                }
                deadline += tp->a->delay_ms;
                /* sorting on RSS needs the scan: from now on it is made */
                tp->rss = tp->rss || tp->a->sort == SORT_RSS;
                r = sample(tp);
                if (r < 0)
                        term_leave(tp);         /* the message goes to the normal screen */
                if (r == -ENOMEM)
                        return cli_error("out of memory");
                if (r < 0)
                        return cli_error("cannot walk the cgroup tree at %s: %s", tp->root->path, strerror(-r));
                r = print_frame(tp, i);
                if (r < 0) {
                        term_leave(tp);
                        return cli_error("cannot write the output: %s", strerror(-r));
                }
        }
        return EXIT_OK;
}

int verb_top(struct cli *cli, int argc, char *argv[]) {
        static const struct option opts[] = {
                { "delay",      required_argument, NULL, 'd' },
                { "iterations", required_argument, NULL, 'n' },
                { "batch",      no_argument,       NULL, 'b' },
                { "all",        no_argument,       NULL, OPT_ALL },
                { "bytes",      no_argument,       NULL, OPT_BYTES },
                { "sort",       required_argument, NULL, OPT_SORT },
                { "output",     required_argument, NULL, CLI_OPT_OUTPUT },
                { "noheadings", no_argument,       NULL, OPT_NOHEADINGS_LONG },
                { "raw",        no_argument,       NULL, CLI_OPT_RAW },
                {}
        };
        static const struct dbc_column_set sets[] = { { dbc_top_columns, ELEMENTSOF(dbc_top_columns) } };
        struct top_args a = { .delay_ms = 1000, .bytes = &cli->bytes, .sort = SORT_DMABUF };
        struct top tp = { .cli = cli, .a = &a };
        const char *term = getenv("TERM");
        sigset_t mask, old;
        int k, sfd = -1, ret;

        dbc_table_init(&tp.table, dbc_top_columns, ELEMENTSOF(dbc_top_columns));
        k = cli_parse_options(cli, argc, argv, "d:n:bo:r", opts, handle_top, &a);
        if (k < 0) {
                ret = EXIT_USAGE;
                goto out;
        }
        if (k < argc) {
                ret = cli_usage_error("top: unexpected argument \"%s\"", argv[k]);
                goto out;
        }
        ret = cli_output_resolve(&a.out, cli, "top", sets, ELEMENTSOF(sets));
        if (ret != 0) {
                if (ret == CLI_OUTPUT_HELP)
                        ret = EXIT_OK;
                goto out;
        }
        for (size_t i = 0; a.out.names && a.out.names[i]; i++)
                tp.rss = tp.rss || streq(a.out.names[i], "RSS");
        tp.rss = tp.rss || cli->json || a.sort == SORT_RSS;

        ret = cli_open_root(cli, &tp.root);
        if (ret != EXIT_OK)
                goto out;
        ret = cli_load_config(cli, &tp.config);
        if (ret != EXIT_OK)
                goto out;
        /* Said before the screen is taken over. */
        cli_notice_kernel(cli, tp.root, NULL);

        sigemptyset(&mask);
        sigaddset(&mask, SIGINT);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGHUP);
        sigaddset(&mask, SIGWINCH);
        sigaddset(&mask, SIGTSTP);
        sigaddset(&mask, SIGCONT);
        if (sigprocmask(SIG_BLOCK, &mask, &old) < 0) {
                ret = cli_error("top: cannot block signals: %s", strerror(errno));
                goto out;
        }
        sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
        if (sfd < 0) {
                ret = cli_error("top: cannot create a signalfd: %s", strerror(errno));
                sigprocmask(SIG_SETMASK, &old, NULL);
                goto out;
        }

        /* A terminal that cannot move the cursor (TERM=dumb, or no TERM at
         * all, as systemd takes it) gets the plain frames of batch mode;
         * keys work on any terminal. */
        tp.tty = !a.batch && !cli->json && isatty(STDOUT_FILENO);
        tp.interactive = tp.tty && term && *term && !streq(term, "dumb");
        tp.keys = tp.tty && isatty(STDIN_FILENO);
        term_enter(&tp);
        ret = run(&tp, sfd);
        term_leave(&tp);
        if (tp.interactive && tp.n_errors > 0)
                cli_warn("%u cgroups could not be read; the first: %s", tp.n_errors, tp.first_error);
        if (tp.rss_errors > 0)
                cli_warn("top: the RSS column is unknown in %u frames: %s could not be scanned", tp.rss_errors,
                         cli->proc_root);
        close(sfd);
        sigprocmask(SIG_SETMASK, &old, NULL);
out:
        cli_output_done(&a.out);
        dbc_table_done(&tp.table);
        prev_free(&tp);
        dbc_config_free(tp.config);
        dbc_root_free(tp.root);
        return ret;
}
