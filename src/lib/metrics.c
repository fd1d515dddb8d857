/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "dmabufctl/macro.h"
#include "dmabufctl/metrics.h"
#include "dmabufctl/size.h"

/* Label values escape backslash, double quote and newline. */
static void label(FILE *f, const char *name, const char *value, bool first) {
        fprintf(f, "%s%s=\"", first ? "" : ",", name);
        for (const char *p = value ? value : ""; *p; p++) {
                if (*p == '\\' || *p == '"')
                        fputc('\\', f);
                if (*p == '\n') {
                        fputs("\\n", f);
                        continue;
                }
                fputc(*p, f);
        }
        fputc('"', f);
}

static void value(FILE *f, uint64_t v) {
        if (v == DBC_SIZE_MAX)
                fputs(" +Inf\n", f);
        else
                fprintf(f, " %" PRIu64 "\n", v);
}

static void cg_labels(FILE *f, const char *metric, const struct dbc_metrics_cgroup *c) {
        fprintf(f, "%s{", metric);
        label(f, "cgroup", c->cgroup, true);
        label(f, "policy", c->policy, false);
}

int dbc_metrics_format(FILE *f, const struct dbc_metrics *m) {
        static const char *const action_names[] = { "alert", "freeze", "kill" };

        fputs("# HELP dmabufd_cgroup_dmabuf_bytes dma-buf bytes charged to the cgroup (memory.stat dmabuf).\n"
              "# TYPE dmabufd_cgroup_dmabuf_bytes gauge\n", f);
        for (size_t i = 0; i < m->n_cgroups; i++)
                if (m->cgroups[i].has_dmabuf) {
                        cg_labels(f, "dmabufd_cgroup_dmabuf_bytes", &m->cgroups[i]);
                        fputc('}', f);
                        value(f, m->cgroups[i].dmabuf);
                }
        fputs("# HELP dmabufd_cgroup_memory_current_bytes memory.current of the cgroup.\n"
              "# TYPE dmabufd_cgroup_memory_current_bytes gauge\n", f);
        for (size_t i = 0; i < m->n_cgroups; i++)
                if (m->cgroups[i].has_memory) {
                        cg_labels(f, "dmabufd_cgroup_memory_current_bytes", &m->cgroups[i]);
                        fputc('}', f);
                        value(f, m->cgroups[i].memory_current);
                }
        fputs("# HELP dmabufd_cgroup_memory_max_bytes memory.max of the cgroup.\n"
              "# TYPE dmabufd_cgroup_memory_max_bytes gauge\n", f);
        for (size_t i = 0; i < m->n_cgroups; i++)
                if (m->cgroups[i].has_memory) {
                        cg_labels(f, "dmabufd_cgroup_memory_max_bytes", &m->cgroups[i]);
                        fputc('}', f);
                        value(f, m->cgroups[i].memory_max);
                }
        fputs("# HELP dmabufd_policy_dmabuf_limit_bytes dmabuf.max of the policy.\n"
              "# TYPE dmabufd_policy_dmabuf_limit_bytes gauge\n", f);
        for (size_t i = 0; m->config && i < m->config->n_policies; i++) {
                const struct dbc_policy *p = &m->config->policies[i];
                fputs("dmabufd_policy_dmabuf_limit_bytes{", f);
                label(f, "policy", p->name, true);
                fputc('}', f);
                value(f, p->dmabuf_max);
        }
        fputs("# HELP dmabufd_actions_total Actions taken (every freeze and kill also alerts).\n"
              "# TYPE dmabufd_actions_total counter\n", f);
        for (size_t i = 0; i < m->n_cgroups; i++)
                for (size_t a = 0; a < ELEMENTSOF(action_names); a++) {
                        cg_labels(f, "dmabufd_actions_total", &m->cgroups[i]);
                        label(f, "action", action_names[a], false);
                        fputc('}', f);
                        value(f, m->cgroups[i].actions[a]);
                }
        fprintf(f, "# HELP dmabufd_evaluations_total Evaluation passes.\n"
                   "# TYPE dmabufd_evaluations_total counter\n"
                   "dmabufd_evaluations_total %" PRIu64 "\n"
                   "# HELP dmabufd_last_evaluation_seconds Time of the last evaluation pass (Unix seconds).\n"
                   "# TYPE dmabufd_last_evaluation_seconds gauge\n"
                   "dmabufd_last_evaluation_seconds %.3f\n",
                m->evaluations, m->last_evaluation);
        fflush(f);
        return ferror(f) ? -EIO : 0;
}

int dbc_metrics_write(const char *path, const struct dbc_metrics *m) {
        _cleanup_free_ char *tmp = NULL;
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
        k = dbc_metrics_format(f, m);
        if (k == 0 && fclose(TAKE_PTR(f)) != 0)
                k = -errno;
        if (k == 0 && rename(tmp, path) < 0)
                k = -errno;
        if (k < 0)
                unlink(tmp);
        return k;
}
