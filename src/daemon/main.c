/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* dmabufd: watches dma-buf budgets and acts on overruns. */
#include <errno.h>
#include <getopt.h>
#include <locale.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include "dmabufctl/alert.h"
#include "dmabufctl/escape.h"
#include "dmabufctl/freezerec.h"
#include "dmabufctl/kcaps.h"
#include "dmabufctl/protect.h"
#include "dmabufctl/runpolicy.h"
#include "dmabufctl/size.h"
#include "dmabufctl/rows.h"
#include "dmabufd.h"

static void help(void) {
        printf("Usage: dmabufd [--config PATH] [--root DIR] [--once [--json] [-o LIST] [-n] [-r]]\n"
               "\n"
               "Watch the dma-buf budgets of dmabufctl.conf and act on cgroups that stay over them.\n"
               "\n"
               "  --config PATH   configuration file, with only the policies.d/ beside it\n"
               "                  (default: %s,\n"
               "                  else %s,\n"
               "                  and the policies.d/ of %s,\n"
               "                  %s and %s; see dmabufctl.conf(5))\n"
               "  --root DIR      the cgroup2 mount point (default: from /proc/self/mountinfo,\n"
               "                  or $DMABUFCTL_CGROUP_ROOT)\n"
               "  --once          one evaluation pass that changes nothing, grace counted as elapsed:\n"
               "                  one line per policed cgroup saying what it would do\n"
               "  --json          with --once: a JSON array instead of text\n"
               "  -o --output LIST  with --once: the columns to show, +LIST: added to the defaults\n"
               "                  (--output help lists them); -o, -n, -r not with --json\n"
               "  -n --noheadings with --once: no header line\n"
               "  -r --raw        with --once: cells separated by one blank, not aligned\n"
               "  --help          this text\n"
               "  --version       the version\n",
               DBC_CONFIG_PATH, DBC_VENDOR_DIR "/" DBC_CONFIG_NAME, DBC_VENDOR_DIR, DBC_ADMIN_DIR, DBC_RUNTIME_DIR);
}

/* A usage error: the line, then the hint dmabufctl gives too; exit 2. */
static _printf_(1, 2) int usage_error(const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        fputs("dmabufd: ", stderr);
        vfprintf(stderr, fmt, ap);
        fputs("\nTry 'dmabufd --help'.\n", stderr);
        va_end(ap);
        return 2;
}

static uint64_t mono_ms(struct daemon *d) {
        uint64_t usec = 0;

        (void) sd_event_now(d->event, CLOCK_MONOTONIC, &usec);
        return usec / 1000;
}

/* STATUS=, formatted and sent only when its counts changed. */
static void notify_status(struct daemon *d) {
        static uint64_t last[4] = { UINT64_MAX };
        uint64_t now[4] = { d->n_watches, d->n_over, d->n_warn, d->n_actions };
        char buf[256];

        if (memcmp(now, last, sizeof(now)) == 0)
                return;
        memcpy(last, now, sizeof(now));
        snprintf(buf, sizeof(buf), "STATUS=Policing %zu cgroups: %zu over, %zu warn; %" PRIu64 " actions",
                 d->n_watches, d->n_over, d->n_warn, d->n_actions);
        (void) sd_notify(0, buf);
}

/* READY=1 went out (after the first pass). */
static bool notified_ready;

static uint64_t mono_us_now(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);    /* the vDSO: no syscall */
        return (uint64_t) ts.tv_sec * 1000000 + (uint64_t) ts.tv_nsec / 1000;
}

static int on_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        struct daemon *d = userdata;
        uint64_t start = usec, end;

        /* The pass's clock is when the loop woke (sd-event read it). */
        (void) sd_event_now(d->event, CLOCK_MONOTONIC, &start);
        daemon_pass(d, start / 1000);
        notify_status(d);
        if (!notified_ready) {
                (void) sd_notify(0, "READY=1");
                notified_ready = true;
        }
        end = mono_us_now();
        (void) sd_event_source_set_time(s, daemon_pass_done(d, start, end));
        return 0;
}

static int on_inotify(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        struct daemon *d = userdata;
        int k = daemon_tree_process_inotify(d, mono_ms(d));

        if (k < 0)
                log_err(d, "following the cgroup tree: %s", strerror(-k));
        return 0;
}

static int on_reload(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata) {
        struct daemon *d = userdata;
        const char *path = d->config_path ? d->config_path : "the configuration";
        struct dbc_config *c = NULL;
        _cleanup_free_ char *msg = NULL;
        struct dbc_alert a = {};
        int k;

        /* RELOADING=1 now, READY=1 when done either way: systemd shows the
         * unit as reloading meanwhile (Type=notify-reload, systemd 253 and
         * later, wants MONOTONIC_USEC no earlier than its signal). Before
         * the first READY=1 there is nothing to report. */
        if (notified_ready) {
                struct timespec ts = {};

                (void) clock_gettime(CLOCK_MONOTONIC, &ts);
                (void) sd_notifyf(0, "RELOADING=1\nMONOTONIC_USEC=%" PRIu64,
                                  (uint64_t) ts.tv_sec * 1000000 + (uint64_t) ts.tv_nsec / 1000);
        }
        log_info(d, "SIGHUP: reloading %s", path);
        k = daemon_load_config(d, &c);
        if (k < 0) {
                a.event = DBC_EVENT_CONFIG_REJECTED;
                if (asprintf(&msg, "configuration %s rejected: keeping the previous one", path) >= 0)
                        a.message = msg;
                daemon_alert(d, &a);
                if (notified_ready)
                        (void) sd_notify(0, "READY=1");
                return 0;
        }
        /* The old configuration stays in force until the new one's tree
         * and watches are in place. */
        k = daemon_tree_rematch(d, c);
        if (k < 0) {
                dbc_config_free(c);
                a.event = DBC_EVENT_CONFIG_REJECTED;
                if (asprintf(&msg, "configuration %s not applied (%s while matching the cgroups): keeping the previous one",
                             path, strerror(-k)) >= 0)
                        a.message = msg;
                daemon_alert(d, &a);
                if (notified_ready)
                        (void) sd_notify(0, "READY=1");
                return 0;
        }
        daemon_thaw(d, THAW_RELOADED);
        a.event = DBC_EVENT_CONFIG_RELOADED;
        if (asprintf(&msg, "configuration %s reloaded: %zu policies, policing %zu cgroups", path,
                     d->config->n_policies, d->n_watches) >= 0)
                a.message = msg;
        daemon_alert(d, &a);
        notify_status(d);
        if (notified_ready)
                (void) sd_notify(0, "READY=1");
        return 0;
}

static int on_exit_signal(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata) {
        struct daemon *d = userdata;

        log_info(d, "%s: stopping", strsignal((int) si->ssi_signo));
        return sd_event_exit(sd_event_source_get_event(s), 0);
}

/* Every policed cgroup keeps up to two files open (read.c). */
static void raise_nofile(void) {
        struct rlimit rl;

        if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
                rl.rlim_cur = rl.rlim_max;
                (void) setrlimit(RLIMIT_NOFILE, &rl);
        }
}

static int run_loop(struct daemon *d) {
        sd_event_source *timer = NULL, *io = NULL;
        sigset_t ss;
        int k;

        raise_nofile();
        sigemptyset(&ss);
        sigaddset(&ss, SIGTERM);
        sigaddset(&ss, SIGINT);
        sigaddset(&ss, SIGHUP);
        sigaddset(&ss, SIGCHLD);
        if (sigprocmask(SIG_BLOCK, &ss, NULL) < 0)
                return -errno;

        k = sd_event_default(&d->event);
        if (k < 0)
                return k;
        if ((k = sd_event_add_signal(d->event, NULL, SIGTERM, on_exit_signal, d)) < 0 ||
            (k = sd_event_add_signal(d->event, NULL, SIGINT, on_exit_signal, d)) < 0 ||
            (k = sd_event_add_signal(d->event, NULL, SIGHUP, on_reload, d)) < 0)
                return k;
        /* WATCHDOG=1 at half of WATCHDOG_USEC, when systemd set it. */
        (void) sd_event_set_watchdog(d->event, true);

        /* What a dmabufd that died froze. */
        daemon_thaw(d, THAW_ORPHANS);

        if (d->current_why)
                log_info(d, "dma-buf is not counted in memory.current here (%s): every pass reads memory.stat "
                         "of every policed cgroup", d->current_why);

        k = daemon_tree_init(d);
        if (k < 0) {
                log_err(d, "cannot watch the cgroup tree at %s: %s", d->root->path, strerror(-k));
                return k;
        }
        log_info(d, "watching %zu cgroups under %s, policing %zu", d->n_nodes, d->root->path, d->n_watches);

        k = sd_event_add_io(d->event, &io, d->inotify_fd, EPOLLIN, on_inotify, d);
        if (k < 0)
                return k;
        /* Cgroups created before a pass are known to it. */
        (void) sd_event_source_set_priority(io, SD_EVENT_PRIORITY_IMPORTANT);
        k = sd_event_add_time_relative(d->event, &timer, CLOCK_MONOTONIC, 0, 1000, on_timer, d);
        if (k < 0)
                return k;
        (void) sd_event_source_set_enabled(timer, SD_EVENT_ON);

        k = sd_event_loop(d->event);
        (void) sd_notify(0, "STOPPING=1");
        /* Thaw first: nothing a hook does may keep a cgroup frozen. */
        daemon_thaw(d, THAW_STOPPING);
        daemon_hooks_kill_all(d);
        daemon_units_free(d);
        sd_event_source_disable_unref(timer);
        sd_event_source_disable_unref(io);
        return k;
}

static int open_root(struct daemon *d, const char *path) {
        const char *e = getenv("DMABUFCTL_CGROUP_ROOT");
        int k;

        if (!path && e && *e)
                path = e;
        k = dbc_root_open(path, &d->root);

        if (k == -EMEDIUMTYPE) {
                _cleanup_free_ char *why = dbc_root_explain_not_cgroup2(path ? path : "/sys/fs/cgroup");
                log_err(d, "%s", why ? why : "not a cgroup2 hierarchy");
        } else if (k == -ENOMEDIUM)
                log_err(d, "no cgroup2 file system is mounted (none in /proc/self/mountinfo); mount one or pass --root");
        else if (k < 0)
                log_err(d, "cannot open the cgroup root %s: %s", path ? path : "(detected)", strerror(-k));
        if (k < 0)
                return k;

        /* It must see the whole tree to know which cgroups hold itself. */
        _cleanup_free_ char *mount = NULL;
        k = dbc_root_check_whole(d->root, NULL, &mount);
        if (k == -EXDEV)
                log_err(d, "%s is a cgroup inside the cgroup2 hierarchy mounted at %s, not its root: "
                        "dmabufd polices the whole tree (pass the mount point)", d->root->path,
                        mount ? mount : "(not found in /proc/self/mountinfo)");
        else if (k < 0)
                log_err(d, "cannot tell whether %s is a cgroup2 hierarchy's root (/proc/self/mountinfo): %s",
                        d->root->path, strerror(-k));
        return k;
}

static int check_kernel(struct daemon *d) {
        const char *sysfs = getenv("DMABUFCTL_SYSFS_ROOT"), *dev = getenv("DMABUFCTL_DEV_ROOT");
        struct dbc_kcaps caps;
        int k;

        k = dbc_kcaps_probe(d->root, sysfs, dev && *dev ? dev : NULL, &caps);
        if (k < 0) {
                log_err(d, "cannot probe what the kernel offers: %s", strerror(-k));
                return k;
        }
        if (!caps.memory_controller) {
                log_err(d, "no cgroup under %s has the memory controller (no memory.stat): "
                        "enable it with +memory in cgroup.subtree_control", d->root->path);
                return -EOPNOTSUPP;
        }
        if (!caps.dmabuf_stat)
                log_warn(d, "memory.stat has no dmabuf key (a kernel without the dma-buf charging patches%s): "
                         "dmabuf budgets read as unknown, only memory.events are acted on",
                         caps.mem_accounting == 1 ? "; mainline's mem_accounting charges dma-heap pages to the "
                         "allocating process as kernel memory" : "");
        else if (caps.mem_accounting == 0)
                log_warn(d, "dma_heap.mem_accounting is off: dma-heap allocations are not charged to anyone "
                         "(boot with dma_heap.mem_accounting=1)");
        else if (caps.charge_pidfd == 0)
                log_warn(d, "the system dma-heap rejects DMA_HEAP_FLAG_CHARGE_PIDFD: allocators cannot charge "
                         "their clients, so a client's budget misses what its allocator took for it");
        /* dmabufd(8), "Reading": memory.current bounds dmabuf only where
         * the kernel charges dma-buf pages like any other page. */
        d->current_first = caps.dmabuf_stat && caps.mem_accounting == 1;
        d->current_why = d->current_first ? NULL :
                         !caps.dmabuf_stat ? "no dmabuf key in memory.stat" :
                         caps.mem_accounting == 0 ? "dma_heap.mem_accounting is off" :
                         "no dma_heap.mem_accounting parameter in sysfs";
        return 0;
}

int main(int argc, char *argv[]) {
        enum { OPT_CONFIG = 0x100, OPT_ROOT, OPT_ONCE, OPT_JSON, OPT_VERSION };
        static const struct option options[] = {
                { "config",     required_argument, NULL, OPT_CONFIG },
                { "root",       required_argument, NULL, OPT_ROOT },
                { "once",       no_argument,       NULL, OPT_ONCE },
                { "json",       no_argument,       NULL, OPT_JSON },
                { "output",     required_argument, NULL, 'o' },
                { "noheadings", no_argument,       NULL, 'n' },
                { "raw",        no_argument,       NULL, 'r' },
                { "help",       no_argument,       NULL, 'h' },
                { "version",    no_argument,       NULL, OPT_VERSION },
                {}
        };
        static const struct dbc_column_set sets[] = { { dbc_decision_columns, ELEMENTSOF(dbc_decision_columns) } };
        struct daemon d = { .inotify_fd = -1 };
        struct dbc_table_text text = {};
        const char *root_path = NULL, *output = NULL;
        _cleanup_free_ char *bad = NULL;
        bool once = false, json = false;
        int opt, k, ret = 1;

        opterr = 0;
        while ((opt = getopt_long(argc, argv, "+ho:nr", options, NULL)) >= 0)
                switch (opt) {
                case OPT_CONFIG:
                        d.config_path = optarg;
                        d.config_must_exist = true;
                        break;
                case OPT_ROOT:
                        root_path = optarg;
                        break;
                case OPT_ONCE:
                        once = true;
                        break;
                case OPT_JSON:
                        json = true;
                        break;
                case 'o':
                        output = optarg;
                        break;
                case 'n':
                        text.noheadings = true;
                        break;
                case 'r':
                        text.raw = true;
                        break;
                case 'h':
                        help();
                        return 0;
                case OPT_VERSION:
                        printf("dmabufd %s\n", PACKAGE_VERSION);
                        return 0;
                case '?':
                        /* getopt_long: optopt is the option's value when
                         * its argument is missing, 0 for an unknown one. */
                        if (optopt)
                                return usage_error("%s: missing its argument", argv[optind - 1]);
                        return usage_error("%s: unknown option", argv[optind - 1]);
                }
        if (optind < argc)
                return usage_error("unexpected argument '%s' (dmabufd takes options only)", argv[optind]);
        if (json && !once)
                return usage_error("%s only goes with --once", "--json");
        if ((output || text.noheadings || text.raw) && !once)
                return usage_error("%s only goes with --once", output ? "--output" : text.raw ? "--raw" : "--noheadings");
        if (output && streq(output, "help")) {
                dbc_output_help(stdout, sets, ELEMENTSOF(sets));
                return fflush(stdout) == 0 ? 0 : 1;
        }
        if (json && (output || text.noheadings || text.raw))
                return usage_error("%s shapes the text table only; --json always prints every field",
                                   output ? "--output" : text.noheadings ? "--noheadings" : "--raw");
        if (output) {
                k = dbc_output_parse(output, sets, ELEMENTSOF(sets), &text.names, &text.add_names, &bad);
                if (k == -ENOMEM)
                        return fputs("dmabufd: out of memory\n", stderr), 1;
                if (k < 0) {
                        _cleanup_free_ char *escaped = dbc_escape_text(bad);

                        return usage_error("--output: unknown column \"%s\" (--output help lists them)",
                                           escaped ? escaped : "?");
                }
        }
        /* --once text: the terminal's character widths; messages stay C.
         * Only there: the daemon escapes what it logs and writes the same
         * in any locale (DBC_ESCAPE_TEXT), and loading the locale's
         * LC_CTYPE tables would be 128 KiB of its resident memory. */
        if (once)
                setlocale(LC_CTYPE, "");
        dbc_table_text_terminal(&text, STDOUT_FILENO);

        d.once = once;
        d.journal = !once && getenv("JOURNAL_STREAM");
        d.proc_root = getenv("DMABUFCTL_PROC_ROOT");
        d.state_dir = dbc_freeze_state_dir();
        /* Its own, from the real /proc: the records name this process. */
        k = dbc_process_start_time(NULL, getpid(), &d.self_start);
        if (k < 0) {
                log_err(&d, "cannot read its own start time from /proc/self/stat: %s", strerror(-k));
                goto out;
        }

        if (open_root(&d, root_path) < 0)
                goto out;
        if (check_kernel(&d) < 0)
                goto out;
        k = dbc_self_cgroup(d.proc_root, &d.self_cgroup);
        if (k < 0) {
                log_err(&d, "cannot tell its own cgroup from %s/self/cgroup (%s): it would not know which cgroups hold itself",
                        d.proc_root ? d.proc_root : "/proc", strerror(-k));
                goto out;
        }
        k = dbc_cgroup_open(d.root, d.self_cgroup);
        if (k < 0) {
                log_err(&d, "its own cgroup %s (%s/self/cgroup) is not in the tree at %s (%s): "
                        "it must see the cgroup that holds itself", d.self_cgroup,
                        d.proc_root ? d.proc_root : "/proc", d.root->path, strerror(-k));
                goto out;
        }
        close(k);
        if (daemon_load_config(&d, &d.config) < 0)
                goto out;

        if (once)
                ret = daemon_once(&d, json, &text);
        else {
                k = run_loop(&d);
                if (k < 0)
                        log_err(&d, "event loop: %s", strerror(-k));
                ret = k < 0 ? 1 : 0;
        }
out:
        daemon_tree_free(&d);
        daemon_units_free(&d);
        free(d.metrics_rows);
        sd_event_unref(d.event);
        sd_bus_flush_close_unref(d.bus);
        dbc_config_free(d.config);
        free(d.self_cgroup);
        dbc_root_free(d.root);
        dbc_output_free(text.names);
        return ret;
}
