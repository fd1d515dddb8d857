/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * dmabufctl top: the rows of `status`, sorted by dmabuf, refreshed every
 * DELAY, with the change of dmabuf since the last refresh. On a terminal it
 * draws full screen on the alternate screen and quits on `q`; with -b (or
 * when stdout is no terminal) it prints plain frames for scripts.
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
#include "dmabufctl/json.h"
#include "dmabufctl/size.h"
#include "table.h"

struct top_args {
        uint64_t delay_ms;
        uint64_t iterations;    /* 0: until quit */
        bool batch;
        bool all;
        bool *bytes;
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
        struct table table;     /* the current frame */
        struct prev *prev;
        size_t n_prev;
        unsigned n_errors;
        char first_error[256];
        bool interactive;       /* full screen on a terminal */
        bool on_screen;         /* the alternate screen is ours */
        bool term_saved;
        struct termios saved;
};

enum { OPT_ALL = 0x500, OPT_BYTES };

static int handle_top(int opt, const char *arg, void *userdata) {
        struct top_args *a = userdata;
        int r;

        switch (opt) {
        case 'd':
                r = dbc_duration_parse(arg, &a->delay_ms);
                if (r < 0 || a->delay_ms == 0)
                        return cli_usage_error("top: -d takes a duration above zero with a unit (500ms, 2s, 1min), not \"%s\"", arg), -1;
                return 0;
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
        struct table *t = &tp->table;
        struct prev *next = calloc(t->n_rows + 1, sizeof(*next));

        if (!next)
                return -ENOMEM;
        for (size_t r = 0; r < t->n_rows; r++) {
                const struct table_cell *row = table_cell(t, r, 0);
                struct prev key = { .path = row[COL_CGROUP].s }, *p = NULL;

                if (tp->prev)
                        p = bsearch(&key, tp->prev, tp->n_prev, sizeof(key), cmp_prev);
                if (p && p->has && !row[COL_DMABUF].null)
                        table_set_delta(t, r, COL_DELTA, (int64_t) (row[COL_DMABUF].u - p->dmabuf));
                next[r].path = strdup(row[COL_CGROUP].s);
                if (!next[r].path) {
                        for (size_t i = 0; i < r; i++)
                                free(next[i].path);
                        free(next);
                        return -ENOMEM;
                }
                next[r].has = !row[COL_DMABUF].null;
                next[r].dmabuf = row[COL_DMABUF].u;
        }
        prev_free(tp);
        if (t->n_rows > 1)
                qsort(next, t->n_rows, sizeof(*next), cmp_prev);
        tp->prev = next;
        tp->n_prev = t->n_rows;
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

        table_done(&tp->table);
        table_init(&tp->table, top_columns, ELEMENTSOF(top_columns));
        r = cgroup_rows_walk(&cr, tp->root);
        if (r < 0)
                return r;
        tp->n_errors = cr.n_errors;
        memcpy(tp->first_error, cr.first_error, sizeof(tp->first_error));
        table_sort(&tp->table, cgroup_rows_cmp_dmabuf);
        return apply_deltas(tp);
}

/* Print s cut to cols screen columns (UTF-8 aware), then clear the rest of
 * the line. */
static void put_line(const char *s, size_t len, unsigned cols) {
        size_t w = 0, i = 0;

        while (i < len) {
                unsigned char c = (unsigned char) s[i];
                size_t k = c < 0x80 ? 1 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;

                if (w + 1 > cols)
                        break;
                if (i + k > len)
                        k = len - i;
                fwrite(s + i, 1, k, stdout);
                i += k;
                w++;
        }
        fputs("\033[K\r\n", stdout);
}

static void draw(struct top *tp) {
        struct winsize ws = { .ws_row = 24, .ws_col = 80 };
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
        snprintf(head, sizeof(head), "dmabufctl top  %s  every %s  %zu cgroups   q quits",
                 when, dbc_duration_format(tp->a->delay_ms, delay), tp->table.n_rows);

        f = open_memstream(&text, &size);
        if (!f)
                return;
        table_print_text(&tp->table, f, tp->cli->bytes);
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

                put_line(p, (size_t) (nl - p), ws.ws_col);
                p = *nl ? nl + 1 : nl;
        }
        fputs("\033[J", stdout);
        fflush(stdout);
}

static int print_frame(struct top *tp, uint64_t iteration) {
        if (tp->interactive) {
                draw(tp);
                return 0;
        }
        if (iteration > 0 && !tp->cli->json)
                fputc('\n', stdout);
        if (tp->cli->json)
                table_print_json(&tp->table, stdout);
        else
                table_print_text(&tp->table, stdout, tp->cli->bytes);
        if (tp->n_errors > 0)
                cli_warn("%u cgroups could not be read; the first: %s", tp->n_errors, tp->first_error);
        if (fflush(stdout) != 0)
                return -errno;
        return 0;
}

static void term_enter(struct top *tp) {
        struct termios raw;

        if (isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &tp->saved) == 0) {
                raw = tp->saved;
                raw.c_lflag &= ~(tcflag_t) (ICANON | ECHO);
                raw.c_cc[VMIN] = 0;
                raw.c_cc[VTIME] = 0;
                if (tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0)
                        tp->term_saved = true;
        }
        /* alternate screen, cursor hidden */
        fputs("\033[?1049h\033[?25l\033[H\033[2J", stdout);
        fflush(stdout);
        tp->on_screen = true;
}

/* Give the terminal back as it was; idempotent. */
static void term_leave(struct top *tp) {
        if (!tp->on_screen)
                return;
        tp->on_screen = false;
        fputs("\033[?25h\033[?1049l", stdout);
        fflush(stdout);
        if (tp->term_saved)
                tcsetattr(STDIN_FILENO, TCSANOW, &tp->saved);
        tp->term_saved = false;
}

static uint64_t now_ms(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000 + (uint64_t) ts.tv_nsec / 1000000;
}

enum wait_result { WAIT_TICK, WAIT_QUIT };

/* Sleep until the next refresh, redrawing on SIGWINCH; quit on q, SIGINT,
 * SIGTERM, SIGHUP. Returns a wait_result or a negative errno. */
static int wait_next(struct top *tp, int sfd, uint64_t deadline) {
        bool keys = tp->interactive && tp->term_saved;

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
                                if (si.ssi_signo != SIGWINCH)
                                        return WAIT_QUIT;
                                if (tp->interactive)
                                        draw(tp);
                        }
                }
                if (pfd[1].revents & POLLIN) {
                        char buf[64];
                        ssize_t n = read(STDIN_FILENO, buf, sizeof(buf));

                        if (n == 0)
                                keys = false;   /* no more input: keep going */
                        for (ssize_t i = 0; i < n; i++)
                                if (buf[i] == 'q' || buf[i] == 'Q')
                                        return WAIT_QUIT;
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
                {}
        };
        struct top_args a = { .delay_ms = 1000, .bytes = &cli->bytes };
        struct top tp = { .cli = cli, .a = &a };
        sigset_t mask, old;
        int k, sfd = -1, ret;

        table_init(&tp.table, top_columns, ELEMENTSOF(top_columns));
        k = cli_parse_options(cli, argc, argv, "d:n:b", opts, handle_top, &a);
        if (k < 0)
                return EXIT_USAGE;
        if (k < argc)
                return cli_usage_error("top: unexpected argument \"%s\"", argv[k]);

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

        tp.interactive = !a.batch && !cli->json && isatty(STDOUT_FILENO);
        if (tp.interactive)
                term_enter(&tp);
        ret = run(&tp, sfd);
        term_leave(&tp);
        if (tp.interactive && tp.n_errors > 0)
                cli_warn("%u cgroups could not be read; the first: %s", tp.n_errors, tp.first_error);
        close(sfd);
        sigprocmask(SIG_SETMASK, &old, NULL);
out:
        table_done(&tp.table);
        prev_free(&tp);
        dbc_config_free(tp.config);
        dbc_root_free(tp.root);
        return ret;
}
