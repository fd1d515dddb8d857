/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "dmabufctl/cgroup.h"
#include "dmabufctl/config.h"
#include "dmabufctl/grace.h"
#include "dmabufctl/macro.h"
#include "dmabufctl/memstat.h"
#include "dmabufctl/metrics.h"
#include "dmabufctl/policy.h"
#include "dmabufctl/target.h"

/* How long a freeze may take to be confirmed by cgroup.events. */
#define FREEZE_CONFIRM_MS 1000
/* How long the alert hook may run before it is killed with its cgroup. */
#define HOOK_TIMEOUT_MS 5000
/* After SIGKILL, how long stopping waits for a hook to be reaped. */
#define HOOK_REAP_MS 1000
/* A hook run as a transient unit is killed by systemd at HOOK_TIMEOUT_MS
 * (RuntimeMaxSec=); if its end was not heard of this much later, dmabufd
 * kills the unit itself and stops waiting. */
#define HOOK_UNIT_SLACK_MS 5000
/* How long after a cgroup named like an unresolved unit appeared systemd is
 * asked again for the unit's cgroup (units.c), once a second. */
#define UNIT_RETRY_MS 10000
/* After a call to systemd that failed (a timeout, a bus error), the wait
 * before the next one: doubled after each failure up to the maximum, for
 * as long as it fails (units.c). */
#define UNIT_BACKOFF_MS 1000
#define UNIT_BACKOFF_MAX_MS 60000
/* At most this many hooks at a time; more alerts are logged, not hooked. */
#define HOOK_MAX_RUNNING 8

/* A policed cgroup: the files a pass reads are kept open while fds last
 * (read.c), at most two. */
struct watch {
        const struct dbc_policy *policy;        /* in daemon->config */
        int statfd;                     /* memory.stat, from the first pass that reads it to decide; -1: not kept */
        int currentfd;                  /* memory.current; -1: not kept (no fd to spare) or none */
        bool has_memory;                /* has memory.current */
        bool has_stat;                  /* has memory.stat */
        bool has_events;                /* has memory.events (read when inotify says it changed) */
        uint64_t memory_current;
        uint64_t memory_max;            /* re-read when inotify says it changed */
        uint64_t memory_high;
        bool has_dmabuf;
        uint64_t dmabuf;
        struct dbc_memevents events;    /* the last seen */
        int stat_error, current_error, events_error;     /* the errno logged last (once per cgroup) */
        bool max_alerted;               /* "max" alerts: one per cooldown */
        uint64_t max_alerted_at;
        uint64_t max_unreported;
        enum dbc_state state;           /* at the last pass */
        struct dbc_grace grace;
        uint64_t actions[3];            /* by enum dbc_action, for the metrics */
        size_t index;                   /* in daemon->policed */
        char *labels;                   /* the metrics' label set (escaped), NULL on OOM */
};

/* A cgroup directory of the tree, watched by inotify. */
struct node {
        int wd;                         /* < 0: no inotify watch (out of them), a key of its own */
        uint64_t id;                    /* cgroup id: a new directory under the same path is another node */
        char *path;                     /* relative to the root, "/..." */
        struct watch *watch;            /* NULL when no policy matches */
        unsigned generation;            /* of the last rescan that saw it */
};

struct hook_run;

struct daemon {
        /* Arguments. */
        const char *config_path;        /* NULL: DBC_CONFIG_PATH */
        bool config_must_exist;
        const char *proc_root;          /* $DMABUFCTL_PROC_ROOT or NULL */
        struct dbc_root *root;
        char *self_cgroup;              /* NULL: unknown */
        const char *state_dir;          /* freeze records: dbc_freeze_state_dir() */
        uint64_t self_start;            /* its own start time, for the records */

        struct dbc_config *config;
        sd_bus *bus;                    /* for unit policies; NULL without systemd */

        int inotify_fd;                 /* -1 in --once */
        void *nodes_by_wd;              /* tsearch() trees of struct node */
        void *nodes_by_path;
        size_t n_nodes;
        struct node **policed;          /* the nodes with a watch, n_watches of them */
        size_t n_watches, cap_policed;
        unsigned generation;
        int unwatched;                  /* the last key given to a node without a watch (< 0) */
        int watch_short;                /* ENOSPC / EMFILE: out of watches or fds, rescan each pass */
        bool watch_short_said;          /* logged once, until watches are available again */
        unsigned fault_alloc;           /* tests: the n-th allocation of a reload fails */

        bool metrics_error;             /* said once already */
        uint64_t metrics_due_ms;        /* the pass at or after this writes the metrics (0: the first) */
        bool metrics_wrote;             /* the last pass wrote them: daemon_pass_done() sets the due time */
        uint64_t metrics_start_us;      /* the start of the pass that wrote them last (0: none since the reload) */
        uint64_t metrics_late;          /* files replaced when their figures were older than metrics-interval */
        bool metrics_slow_said;         /* said once (until a reload) that a metrics pass is too long */
        struct timespec metrics_read_at;        /* CLOCK_REALTIME: the start of the pass they come from */
        struct dbc_metrics_cgroup *metrics_rows;        /* kept from write to write */
        size_t cap_metrics_rows;
        size_t n_over, n_warn;          /* policed cgroups in these states */
        uint64_t n_actions;             /* taken since start */
        uint64_t wake_ms;               /* after a pass: when the first running grace ends (0: none) */
        uint64_t evaluations;
        uint64_t overruns;              /* passes that took longer than the interval */

        /* Reading (read.c). */
        bool current_first;             /* dma-buf counts in memory.current: see read.c */
        const char *current_why;        /* why not, said when the loop starts */
        size_t n_kept;                  /* fds the watches keep */
        size_t fd_budget;               /* at most this many (0: from RLIMIT_NOFILE at first use) */
        bool fds_exhausted;             /* said once */
        uint64_t stat_reads;            /* memory.stat reads, for the metrics */

        /* Unit policies resolved after start (units.c). */
        uint64_t units_retry_until;     /* CLOCK_MONOTONIC ms; see UNIT_RETRY_MS */
        struct unit_ask **unit_asks;    /* by policy index of config, n_unit_asks (NULL: never asked) */
        size_t n_unit_asks;
        sd_event_source *unit_timer;
        sd_event_source *units_rescan;  /* a rescan after answers that moved units, when idle */
        bool units_bus_said;            /* said once that the bus cannot be attached */

        /* The loop (NULL in --once and in tests that drive passes by hand). */
        sd_event *event;
        bool journal;                   /* structured alerts go to the journal */
        bool once;                      /* change nothing */
        struct hook_run *hooks;
        unsigned n_hooks;
        bool hook_cgroup_warned;        /* said once that the hook has no cgroup of its own */
        bool hook_units_off;            /* hooks by fork: no systemd, or it refused a transient unit */
        bool bus_attached;              /* bus attached to event: hooks' units, unit questions */
        unsigned hook_serial;           /* in the names of the hooks' units */
};

/* units.c: unit policies resolved after start, never blocking a pass. */
struct unit_ask;
/* Attach d->bus to d->event (once). Returns 0 or a negative errno. */
int daemon_bus_attach(struct daemon *d);
/* Ask systemd for the cgroup of policy number i of d->config when it is an
 * unresolved (or unconfirmed) unit policy: asynchronously with the loop and
 * a bus, else a slice by naming only (no bus: asks nobody). The answer
 * polices the cgroup (daemon_tree_match_path()). */
void daemon_units_ask(struct daemon *d, size_t i);
/* A reload while the loop runs: the unit policies of c (not yet in force)
 * take the cgroup that the same unit has in d->config, when it has one and
 * no other policy of c claims it, unconfirmed (only the directory policed
 * there now stays policed until systemd answers); the rest stay
 * unresolved. Asks nobody. Returns 0 or -ENOMEM. */
int daemon_units_adopt(struct daemon *d, struct dbc_config *c);
/* May unit policy p police the directory of cgroup id at its resolved
 * path? Not a new one at a kept path systemd has not confirmed. */
bool daemon_unit_may_police(const struct dbc_policy *p, uint64_t id);
/* After a reload (d->config is the new one, old the one before, not freed
 * yet), with the loop and a bus: questions in flight for a unit of both are
 * carried over, the others dropped, and systemd is asked for every unit
 * policy's cgroup without waiting; the answer confirms or moves a kept one,
 * and a failed answer is said once and asked again later. */
void daemon_units_reloaded(struct daemon *d, const struct dbc_config *old);
/* "FILE:LINE: policy P: unit U cannot be resolved now (why); ...". */
void daemon_unit_unresolved(struct daemon *d, const struct dbc_policy *p, int error);
/* Ask again every second until UNIT_RETRY_MS after now_ms. */
void daemon_units_retry(struct daemon *d, uint64_t now_ms);
void daemon_units_free(struct daemon *d);

/* tree.c: the cgroups of the tree and which of them are policed. */
int daemon_tree_init(struct daemon *d);         /* walk once, add watches */
int daemon_tree_process_inotify(struct daemon *d, uint64_t now_ms);
int daemon_tree_rescan(struct daemon *d);       /* after a queue overflow or a reload */
void daemon_tree_free(struct daemon *d);
/* What a unit policy matches at path changed: match the node there again
 * (police it, or no longer), if it is in the tree. */
void daemon_tree_match_path(struct daemon *d, const char *path);
/* The cgroup id of the directory at path that policy p polices, or 0. */
uint64_t daemon_tree_policed_id(struct daemon *d, const char *path, const struct dbc_policy *p);
/* Reload: make c the configuration in force. Every node is matched against
 * c and every new watch opened first, while d->config stays in force; only
 * when all of that worked does c replace it (the old one is freed) and the
 * tree is rescanned for what c needs watched. Returns 0, or a negative
 * errno (-ENOMEM) with nothing changed: the caller still owns c. */
int daemon_tree_rematch(struct daemon *d, struct dbc_config *c);

/* read.c: the files of a policed cgroup. */
/* Open what the passes read of path (its directory open at dfd) for w:
 * memory.current kept while fds last, memory.stat checked (kept when every
 * pass reads it), memory.events read for its counts. Returns 0, or -EMFILE
 * when the process is out of fds. */
int daemon_watch_open(struct daemon *d, int dfd, const char *path, struct watch *w);
void daemon_watch_close(struct daemon *d, struct watch *w);
/* Read n's figures: memory.current, and memory.stat where the cgroup could
 * be over, or everything when refresh (a metrics pass, an event) asks. */
void daemon_watch_read(struct daemon *d, struct node *n, bool refresh);
/* Open, read and close name of policed n (NUL terminated). Returns the
 * length or a negative errno (-ENODEV: n is gone). */
int daemon_read_once(struct daemon *d, struct node *n, const char *name, char *buf, size_t size);
/* A read error of n's file (0: it reads again), logged once per errno. */
void daemon_read_error(struct daemon *d, struct node *n, int *last, const char *file, int error);
/* The state of n's watch at a pass, counted for STATUS=. */
void daemon_watch_set_state(struct daemon *d, struct watch *w, enum dbc_state state);

/* pass.c: one evaluation pass at now_ms (CLOCK_MONOTONIC, or a fake clock). */
void daemon_pass(struct daemon *d, uint64_t now_ms);
uint64_t daemon_next_pass_us(const struct daemon *d, uint64_t end_us, uint64_t took_us);
/* The timer's slack (sd-event's accuracy of the pass timer, main.c). */
#define METRICS_SLACK_US 2000
/* After a pass that started at start_us and ended at end_us: count an
 * overrun, bring the metrics' due time forward so that the next write ends
 * before the figures in the file are metrics-interval old (as far as that
 * leaves a rest and writes at most a tenth more often than asked), and
 * return when the next pass starts (daemon_next_pass_us()). */
uint64_t daemon_pass_done(struct daemon *d, uint64_t start_us, uint64_t end_us);
/* memory.events of n changed. */
void daemon_memory_events(struct daemon *d, struct node *n, uint64_t now_ms);
/* Re-read memory.max / memory.high of n. */
void daemon_read_limits(struct daemon *d, struct node *n);
int daemon_write_metrics(struct daemon *d);
/* What a pass decides for a policed cgroup. */
enum decision_action {
        DECISION_NONE,
        DECISION_ALERT,         /* also for warn, and whenever the daemon may not act */
        DECISION_FREEZE,
        DECISION_KILL,
        DECISION_PROTECTED,     /* the policy asked for more, the never-act list forbids it */
        _DECISION_MAX,
};
/* "none", "alert", "freeze", "kill", "protected". */
const char *decision_action_to_string(enum decision_action a);

struct decision {
        enum decision_action action;
        struct dbc_target target;       /* verdict ACT: what freeze/kill go to (target.fd to act
                                         * through); PROTECTED / NO_HOLDER: the cgroup named in why */
        char *why;                      /* why alert only or protected (NULL for none, freeze, kill) */
};
void decision_done(struct decision *dec);

/* The never-act list as of now: the root, /init.scope, its own cgroup, the
 * journal's, the protect globs. */
int daemon_never_act(struct daemon *d, struct dbc_never_act *ret);
/* What the policy p asks for path in state, after the never-act list.
 * expect_id (0: any) is the cgroup id the directory at path must have, as
 * checked on the directory opened for the choice and the action
 * (dbc_target_find()): -ESTALE when another is there. Returns 0 and *ret
 * (free with decision_done()) or a negative errno. */
int daemon_decide(struct daemon *d, const char *path, uint64_t expect_id, const struct dbc_policy *p,
                  enum dbc_state state, struct decision *ret);
/* Carry out dec for policed n (over for its grace): alert, or freeze / kill
 * through dec->target.fd, and alert what was done. */
void daemon_execute(struct daemon *d, struct node *n, const struct decision *dec);

/* freeze.c: freezes recorded in d->state_dir. */
/* Record, then freeze t (of policed n). Returns 0, -ECANCELED when it did
 * not freeze and said why, or a negative errno. */
int daemon_freeze(struct daemon *d, struct node *n, const struct dbc_target *t);
enum thaw_what {
        THAW_STOPPING,          /* everything this daemon froze */
        THAW_RELOADED,          /* what it froze for a policy that no longer asks for freeze */
        THAW_ORPHANS,           /* what a daemon that is gone froze */
};
void daemon_thaw(struct daemon *d, enum thaw_what what);
/* One line per record: "frozen by dmabufd: PATH (policy P, ...)". */
int daemon_list_frozen(struct daemon *d, FILE *f);

/* report.c: logging and alerts. Plain log lines go to stderr (the journal
 * under systemd, which reads the <N> prefixes). */
void log_info(struct daemon *d, const char *fmt, ...) _printf_(2, 3);
void log_warn(struct daemon *d, const char *fmt, ...) _printf_(2, 3);
void log_err(struct daemon *d, const char *fmt, ...) _printf_(2, 3);
struct dbc_alert;
/* Journal entry (or a stderr line), and the hook when one is configured and
 * a loop runs. */
void daemon_alert(struct daemon *d, const struct dbc_alert *a);
void daemon_hooks_kill_all(struct daemon *d);

/* once.c: --once [--json]. Returns an exit code. */
struct dbc_table_text;
int daemon_once(struct daemon *d, bool json, const struct dbc_table_text *text);

/* config: load (and trust-check) the configuration; on failure, report
 * each problem as FILE:LINE: message and keep nothing. Returns 0 or a
 * negative errno (already reported). */
int daemon_load_config(struct daemon *d, struct dbc_config **ret);
