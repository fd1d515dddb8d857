/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "dmabufctl/escape.h"
#include "dmabufctl/macro.h"
#include "dmabufctl/metrics.h"
#include "dmabufctl/size.h"

static void label(FILE *f, const char *name, const char *value, bool first) {
        if (!first)
                fputc_unlocked(',', f);
        fputs_unlocked(name, f);
        fputs_unlocked("=\"", f);
        dbc_escape_write(f, value, DBC_ESCAPE_PROMETHEUS);
        fputc_unlocked('"', f);
}

char *dbc_metrics_labels(const char *cgroup, const char *policy) {
        char *s = NULL;
        size_t n = 0;
        FILE *f = open_memstream(&s, &n);

        if (!f)
                return NULL;
        label(f, "cgroup", cgroup, true);
        label(f, "policy", policy, false);
        if (fclose(f) != 0) {
                free(s);
                return NULL;
        }
        return s;
}

/* " VALUE\n" without printf: a pass writes thousands of these. */
static void value(FILE *f, uint64_t v) {
        char buf[24], *p = buf + sizeof(buf);

        if (v == DBC_SIZE_MAX) {
                fputs_unlocked(" +Inf\n", f);
                return;
        }
        *--p = '\n';
        do {
                *--p = (char) ('0' + v % 10);
                v /= 10;
        } while (v);
        *--p = ' ';
        fwrite_unlocked(p, 1, (size_t) (buf + sizeof(buf) - p), f);
}

static void cg_sample(FILE *f, const char *metric, const struct dbc_metrics_cgroup *c, const char *action,
                      uint64_t v) {
        fputs_unlocked(metric, f);
        fputc_unlocked('{', f);
        if (c->labels)
                fputs_unlocked(c->labels, f);
        else {
                label(f, "cgroup", c->cgroup, true);
                label(f, "policy", c->policy, false);
        }
        if (action)
                label(f, "action", action, false);
        fputc_unlocked('}', f);
        value(f, v);
}

int dbc_metrics_format(FILE *f, const struct dbc_metrics *m) {
        static const char *const action_names[] = { "alert", "freeze", "kill" };

        fputs_unlocked("# HELP dmabufd_cgroup_dmabuf_bytes dma-buf bytes charged to the cgroup (memory.stat dmabuf).\n"
                       "# TYPE dmabufd_cgroup_dmabuf_bytes gauge\n", f);
        for (size_t i = 0; i < m->n_cgroups; i++)
                if (m->cgroups[i].has_dmabuf)
                        cg_sample(f, "dmabufd_cgroup_dmabuf_bytes", &m->cgroups[i], NULL, m->cgroups[i].dmabuf);
        fputs_unlocked("# HELP dmabufd_cgroup_memory_current_bytes memory.current of the cgroup.\n"
                       "# TYPE dmabufd_cgroup_memory_current_bytes gauge\n", f);
        for (size_t i = 0; i < m->n_cgroups; i++)
                if (m->cgroups[i].has_memory)
                        cg_sample(f, "dmabufd_cgroup_memory_current_bytes", &m->cgroups[i], NULL,
                                  m->cgroups[i].memory_current);
        fputs_unlocked("# HELP dmabufd_cgroup_memory_max_bytes memory.max of the cgroup.\n"
                       "# TYPE dmabufd_cgroup_memory_max_bytes gauge\n", f);
        for (size_t i = 0; i < m->n_cgroups; i++)
                if (m->cgroups[i].has_memory)
                        cg_sample(f, "dmabufd_cgroup_memory_max_bytes", &m->cgroups[i], NULL, m->cgroups[i].memory_max);
        fputs_unlocked("# HELP dmabufd_policy_dmabuf_limit_bytes dmabuf.max of the policy.\n"
                       "# TYPE dmabufd_policy_dmabuf_limit_bytes gauge\n", f);
        for (size_t i = 0; m->config && i < m->config->n_policies; i++) {
                const struct dbc_policy *p = &m->config->policies[i];
                fputs_unlocked("dmabufd_policy_dmabuf_limit_bytes{", f);
                label(f, "policy", p->name, true);
                fputc_unlocked('}', f);
                value(f, p->dmabuf_max);
        }
        fputs_unlocked("# HELP dmabufd_actions_total Actions taken (every freeze and kill also alerts).\n"
                       "# TYPE dmabufd_actions_total counter\n", f);
        for (size_t i = 0; i < m->n_cgroups; i++)
                for (size_t a = 0; a < ELEMENTSOF(action_names); a++)
                        cg_sample(f, "dmabufd_actions_total", &m->cgroups[i], action_names[a], m->cgroups[i].actions[a]);
        fprintf(f, "# HELP dmabufd_evaluations_total Evaluation passes.\n"
                   "# TYPE dmabufd_evaluations_total counter\n"
                   "dmabufd_evaluations_total %" PRIu64 "\n"
                   "# HELP dmabufd_last_evaluation_seconds Start of the evaluation pass these figures come from (Unix seconds).\n"
                   "# TYPE dmabufd_last_evaluation_seconds gauge\n"
                   "dmabufd_last_evaluation_seconds %.3f\n"
                   "# HELP dmabufd_memory_stat_reads_total memory.stat files read by the passes.\n"
                   "# TYPE dmabufd_memory_stat_reads_total counter\n"
                   "dmabufd_memory_stat_reads_total %" PRIu64 "\n"
                   "# HELP dmabufd_pass_overruns_total Passes that took longer than the interval.\n"
                   "# TYPE dmabufd_pass_overruns_total counter\n"
                   "dmabufd_pass_overruns_total %" PRIu64 "\n"
                   "# HELP dmabufd_metrics_late_total Metrics files replaced when their figures were older than metrics-interval.\n"
                   "# TYPE dmabufd_metrics_late_total counter\n"
                   "dmabufd_metrics_late_total %" PRIu64 "\n",
                m->evaluations, m->last_evaluation, m->memory_stat_reads, m->overruns, m->metrics_late);
        fflush(f);
        return ferror(f) ? -EIO : 0;
}

/* Below glibc's mmap threshold (128 KiB): a larger buffer, once freed,
 * raises that threshold and stays in dmabufd's heap from write to write
 * (its RSS grew by the buffer's size after the second write). */
#define METRICS_BUF (64 * 1024)

int dbc_metrics_write(const char *path, const struct dbc_metrics *m) {
        _cleanup_free_ char *tmp = NULL;
        /* wbuf before f: cleanups run in reverse order, f's first. */
        _cleanup_free_ char *wbuf = NULL;
        _cleanup_fclose_ FILE *f = NULL;
        int fd, k;

        if (asprintf(&tmp, "%s.XXXXXX", path) < 0)
                return -ENOMEM;
        fd = mkostemp(tmp, O_CLOEXEC);
        if (fd < 0)
                return -errno;
        (void) fchmod(fd, 0644);
        f = fdopen(fd, "w");
        if (!f) {
                k = -errno;
                close(fd);
                unlink(tmp);
                return k;
        }
        /* Few writes: the file is about 700 bytes per cgroup (glibc
         * ignores the size without a buffer of our own). */
        wbuf = malloc(METRICS_BUF);
        if (wbuf)
                (void) setvbuf(f, wbuf, _IOFBF, METRICS_BUF);
        k = dbc_metrics_format(f, m);
        if (k == 0 && fclose(TAKE_PTR(f)) != 0)
                k = -errno;
        if (k == 0 && rename(tmp, path) < 0)
                k = -errno;
        if (k < 0)
                unlink(tmp);
        return k;
}
