/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config-internal.h"
#include "dmabufctl/runpolicy.h"

/* Which files make the configuration, and reading them: the configuration
 * contract's layering (systemd's: /usr/lib, then /etc, then /run, a name
 * masking the same name below it, a symlink to /dev/null masking it for
 * good), and for dmabufd every file and directory opened through trust.h's
 * walk, so that what is parsed is what was checked. */

static const char *env_or(const char *name, const char *fallback) {
        const char *e = getenv(name);

        return e && *e ? e : fallback;
}

void dbc_config_dirs_default(struct dbc_config_dirs *ret) {
        *ret = (struct dbc_config_dirs) {
                .vendor = env_or("DMABUFCTL_VENDOR_DIR", DBC_VENDOR_DIR),
                .admin = env_or("DMABUFCTL_CONFIG_DIR", DBC_ADMIN_DIR),
                .runtime = dbc_runtime_dir(),
        };
}

static int add_string(char ***v, size_t *n, const char *s) {
        char **l = reallocarray(*v, *n + 1, sizeof(**v));

        if (!l)
                return -ENOMEM;
        *v = l;
        l[*n] = strdup(s);
        if (!l[*n])
                return -ENOMEM;
        (*n)++;
        return 0;
}

int config_add_file(struct config_state *s, const char *path, unsigned *ret_index) {
        int k = add_string(&s->files, &s->n_files, path);

        if (k < 0)
                return k;
        *ret_index = (unsigned) s->n_files - 1;
        return 0;
}

/* Refusals and open errors of dir/name, as diags. */
static int open_problem(struct config_state *s, const char *path, int error, struct dbc_trust_refusal *r) {
        char buf[96];

        if (error == -EPERM && r->what && streq(r->what, path))
                return diag_add(s->diags, path, 0, "refused: %s (dmabufd runs as root and runs what it names)",
                                r->why);
        if (error == -EPERM && r->what)
                return diag_add(s->diags, path, 0, "refused: %s is %s (dmabufd runs as root and runs what it names)",
                                r->what, r->why);
        if (error == -ENOMEM)
                return error;
        return diag_add(s->diags, path, 0, "cannot open: %s", errno_describe(-error, buf));
}

/* Open directory path: through the trusted walk, or plainly. -ENOENT and
 * -ENOTDIR are returned quietly (a layer that is not there); any other
 * problem is a diag and returns -EALREADY. */
static int open_dir(struct config_state *s, const char *path) {
        _cleanup_(dbc_trust_refusal_done) struct dbc_trust_refusal r = {};
        int fd, k;

        if (s->trust)
                fd = dbc_trust_open_dir(s->trust, path, &r);
        else {
                fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (fd < 0)
                        fd = -errno;
        }
        if (fd >= 0 || fd == -ENOENT || fd == -ENOTDIR || fd == -ENOMEM)
                return fd;
        k = open_problem(s, path, fd, &r);
        return k < 0 ? k : -EALREADY;
}

/* Is dir/name a symlink, and a mask (to /dev/null)? 1: a mask, 0: no
 * symlink, 2: another symlink. */
static int symlink_kind(int dirfd, const char *name) {
        char target[16];
        ssize_t n = readlinkat(dirfd, name, target, sizeof(target) - 1);

        if (n < 0)
                return 0;
        target[n] = '\0';
        return streq(target, "/dev/null") ? 1 : 2;
}

/* Read name of dirfd (shown as path). is_dropin: a directory is skipped
 * like any non-.conf entry, and a symlink to /dev/null is a mask. */
static int read_at(struct config_state *s, int dirfd, const char *dirpath, const char *name, const char *path,
                   bool missing_ok, bool is_dropin) {
        _cleanup_(dbc_trust_refusal_done) struct dbc_trust_refusal r = {};
        _cleanup_close_ int fd = -1;
        _cleanup_fclose_ FILE *f = NULL;
        struct stat st;
        unsigned idx;
        char buf[96];
        int k;

        k = config_add_file(s, path, &idx);
        if (k < 0)
                return k;
        if (is_dropin && symlink_kind(dirfd, name) == 1)
                return 0;       /* masked, never followed nor judged */
        if (s->trust)
                fd = dbc_trust_open_at(s->trust, dirfd, dirpath, name, &r);
        else {
                /* O_NONBLOCK: a FIFO in place of a file must not hang us; it
                 * is refused below as "not a regular file". */
                fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
                if (fd < 0)
                        fd = -errno;
        }
        if (fd < 0) {
                if (fd == -ENOENT && missing_ok)
                        return 0;
                return open_problem(s, path, fd, &r);
        }
        if (fstat(fd, &st) < 0)
                return diag_add(s->diags, path, 0, "cannot read: %s", errno_describe(errno, buf));
        if (S_ISDIR(st.st_mode))
                return is_dropin ? 0 : diag_add(s->diags, path, 0, "cannot read: %s", errno_describe(EISDIR, buf));
        if (!S_ISREG(st.st_mode))
                return diag_add(s->diags, path, 0, "not a regular file");

        /* Parsed from the fd that was opened (and checked). */
        f = fdopen(fd, "re");
        if (!f)
                return -errno;
        TAKE_FD(fd);
        k = add_string(&s->config->files, &s->config->n_files, path);
        if (k < 0)
                return k;
        return config_parse_file(s, f, s->files[idx], idx);
}

static int read_path(struct config_state *s, const char *path, bool missing_ok) {
        const char *slash = strrchr(path, '/');
        _cleanup_free_ char *dir = NULL;
        _cleanup_close_ int dfd = -1;
        unsigned idx;
        char buf[96];

        dir = slash ? strndup(path, slash == path ? 1 : (size_t) (slash - path)) : strdup(".");
        if (!dir)
                return -ENOMEM;
        if (slash && !slash[1]) {
                int k = config_add_file(s, path, &idx);
                return k < 0 ? k : diag_add(s->diags, path, 0, "cannot read: %s", errno_describe(EISDIR, buf));
        }
        dfd = open_dir(s, dir);
        if (dfd == -EALREADY)
                return 0;
        if (dfd == -ENOENT || dfd == -ENOTDIR) {
                int k = config_add_file(s, path, &idx);

                if (k < 0 || missing_ok)
                        return k;
                return diag_add(s->diags, path, 0, "cannot open: %s", errno_describe(-dfd, buf));
        }
        if (dfd < 0)
                return dfd;
        return read_at(s, dfd, dir, slash ? slash + 1 : path, path, missing_ok, false);
}

static bool is_dropin_name(const char *n) {
        size_t l = strlen(n);

        return n[0] != '.' && l > 5 && streq(n + l - 5, ".conf");
}

/* A drop-in name and the layer whose file of that name counts. */
struct dropin {
        char *name;
        size_t layer;
};

static int cmp_dropin(const void *a, const void *b) {
        return strcmp(((const struct dropin *) a)->name, ((const struct dropin *) b)->name);
}

#define MAX_LAYERS 3

/* Every policies.d/\*.conf of the layers dirs[0..n) (lowest first): a name
 * in a later layer masks the same name in earlier ones; the survivors are
 * read in lexical order of their names. */
static int read_dropins(struct config_state *s, const char *const *dirs, size_t n_dirs) {
        int fds[MAX_LAYERS] = { -1, -1, -1 };
        char *paths[MAX_LAYERS] = {};
        struct dropin *list = NULL;
        size_t n = 0;
        char buf[96];
        int k = 0;

        for (size_t l = 0; l < n_dirs && k >= 0; l++) {
                _cleanup_closedir_ DIR *d = NULL;
                struct dirent *de;
                int dup_fd;

                /* "" is the working directory: "policies.d", as named */
                if (asprintf(&paths[l], "%s%spolicies.d", dirs[l],
                             !*dirs[l] || dirs[l][strlen(dirs[l]) - 1] == '/' ? "" : "/") < 0) {
                        paths[l] = NULL;
                        k = -ENOMEM;
                        break;
                }
                fds[l] = open_dir(s, paths[l]);
                if (fds[l] < 0) {
                        k = fds[l] == -ENOMEM ? -ENOMEM : 0;
                        fds[l] = -1;
                        continue;
                }
                dup_fd = fcntl(fds[l], F_DUPFD_CLOEXEC, 3);
                if (dup_fd < 0 || !(d = fdopendir(dup_fd))) {
                        k = -errno;
                        if (dup_fd >= 0)
                                close(dup_fd);
                        break;
                }
                while ((errno = 0, de = readdir(d))) {
                        size_t i;

                        if (!is_dropin_name(de->d_name))
                                continue;
                        for (i = 0; i < n && !streq(list[i].name, de->d_name); i++)
                                ;
                        if (i < n) {
                                list[i].layer = l;      /* masks the lower layer's */
                                continue;
                        }
                        struct dropin *nl = reallocarray(list, n + 1, sizeof(*nl));
                        if (!nl) {
                                k = -ENOMEM;
                                break;
                        }
                        list = nl;
                        list[n] = (struct dropin) { .name = strdup(de->d_name), .layer = l };
                        if (!list[n].name) {
                                k = -ENOMEM;
                                break;
                        }
                        n++;
                }
                if (k >= 0 && errno)
                        k = diag_add(s->diags, paths[l], 0, "cannot read: %s", errno_describe(errno, buf));
        }
        if (k >= 0 && n > 0) {  /* qsort(NULL, 0) is undefined */
                qsort(list, n, sizeof(*list), cmp_dropin);
                for (size_t i = 0; i < n && k >= 0; i++) {
                        _cleanup_free_ char *path = NULL;

                        if (asprintf(&path, "%s/%s", paths[list[i].layer], list[i].name) < 0) {
                                path = NULL;
                                k = -ENOMEM;
                                break;
                        }
                        k = read_at(s, fds[list[i].layer], paths[list[i].layer], list[i].name, path, true, true);
                }
        }
        for (size_t i = 0; i < n; i++)
                free(list[i].name);
        free(list);
        for (size_t l = 0; l < n_dirs; l++) {
                if (fds[l] >= 0)
                        close(fds[l]);
                free(paths[l]);
        }
        return k;
}

/* The main file of the layered configuration: /etc's, else /usr/lib's; a
 * symlink to /dev/null in /etc masks both (the defaults apply). */
static int read_layered_main(struct config_state *s, const struct dbc_config_dirs *dirs) {
        const char *layers[] = { dirs->admin, dirs->vendor };

        for (size_t i = 0; i < ELEMENTSOF(layers); i++) {
                _cleanup_free_ char *path = NULL;
                _cleanup_close_ int dfd = -1;
                struct stat st;

                if (!layers[i])
                        continue;
                if (asprintf(&path, "%s/" DBC_CONFIG_NAME, layers[i]) < 0)
                        return -ENOMEM;
                dfd = open_dir(s, layers[i]);
                if (dfd == -EALREADY)
                        return 0;
                if (dfd == -ENOENT || dfd == -ENOTDIR)
                        continue;
                if (dfd < 0)
                        return dfd;
                if (fstatat(dfd, DBC_CONFIG_NAME, &st, AT_SYMLINK_NOFOLLOW) < 0) {
                        if (errno == ENOENT)
                                continue;
                        return read_at(s, dfd, layers[i], DBC_CONFIG_NAME, path, false, false);
                }
                if (symlink_kind(dfd, DBC_CONFIG_NAME) == 1)
                        return 0;
                return read_at(s, dfd, layers[i], DBC_CONFIG_NAME, path, false, false);
        }
        return 0;
}

int config_read_files(struct config_state *s, const struct dbc_config_source *src) {
        int k;

        if (src->path) {
                const char *slash = strrchr(src->path, '/');
                _cleanup_free_ char *dir = NULL;
                const char *dirs[1];

                k = read_path(s, src->path, !src->must_exist);
                if (k < 0)
                        return k;
                /* "x.conf": "" (policies.d); "/x.conf": "/" */
                dir = slash ? strndup(src->path, slash == src->path ? 1 : (size_t) (slash - src->path)) : strdup("");
                if (!dir)
                        return -ENOMEM;
                dirs[0] = dir;
                return read_dropins(s, dirs, 1);
        }

        struct dbc_config_dirs dirs = src->dirs;
        if (!dirs.vendor && !dirs.admin && !dirs.runtime)
                dbc_config_dirs_default(&dirs);
        const char *layers[MAX_LAYERS];
        size_t n = 0;

        k = read_layered_main(s, &dirs);
        if (k < 0)
                return k;
        if (dirs.vendor)
                layers[n++] = dirs.vendor;
        if (dirs.admin)
                layers[n++] = dirs.admin;
        if (dirs.runtime)
                layers[n++] = dirs.runtime;
        return read_dropins(s, layers, n);
}

/* The kernel runs a "#!" hook's interpreter by its path, which dmabufd
 * never opens: resolve that path here through trusted walks only. A walk
 * stops at a symlink whose directory it has already judged (so only root
 * could change it); its target replaces it and the walk starts again, at
 * most 40 times, like the kernel's own limit. The resolved file must be a
 * trusted executable regular file and no "#!" script itself. Returns 0 when
 * it is, 1 when a refusal was added, or a negative errno. */
/* A refusal was added to the diagnostics: 1, or diag_add()'s error. */
static int refused(int k) {
        return k < 0 ? k : 1;
}

static int check_interpreter(struct config_state *s, const char *hook, int hookfd) {
        /* The kernel looks the path up from the real "/", whatever root the
         * configuration was walked from (a test tree). */
        const struct dbc_trust real = { .root = "/", .owner = s->trust->owner };
        _cleanup_free_ char *path = NULL;
        char buf[257];
        ssize_t n;
        size_t len;
        char *nl, *p;

        n = pread(hookfd, buf, sizeof buf - 1, 0);
        if (n < 0)
                return -errno;
        buf[n] = '\0';
        nl = memchr(buf, '\n', (size_t) n);
        if (!nl)
                return refused(diag_add(s->diags, hook, 0, "refused: its \"#!\" line is longer than 255 bytes"));
        *nl = '\0';
        p = buf + 2;
        p += strspn(p, " \t");
        len = strcspn(p, " \t");
        p[len] = '\0';
        if (p[0] != '/')
                return refused(diag_add(s->diags, hook, 0, "refused: its interpreter \"%s\" is not an absolute path", p));
        path = strdup(p);
        if (!path)
                return -ENOMEM;
        for (unsigned hops = 0;; hops++) {
                _cleanup_(dbc_trust_refusal_done) struct dbc_trust_refusal r = {};
                _cleanup_close_ int fd = dbc_trust_open(&real, path, &r);
                _cleanup_free_ char *target = NULL, *next = NULL;
                struct stat st;
                char head[2];
                ssize_t k;

                if (fd >= 0) {
                        if (fstat(fd, &st) < 0)
                                return -errno;
                        if (!S_ISREG(st.st_mode) || !(st.st_mode & 0111))
                                return refused(diag_add(s->diags, hook, 0,
                                                "refused: its interpreter %s (%s) is not an executable regular file",
                                                p, path));
                        /* env(1) would look its argument up in PATH,
                         * a program nobody checked. */
                        if (streq(strrchr(path, '/') + 1, "env") || streq(strrchr(p, '/') + 1, "env"))
                                return refused(diag_add(s->diags, hook, 0,
                                                        "refused: its interpreter %s is env(1), which runs a program "
                                                        "found by PATH; name the interpreter itself", p));
                        if (pread(fd, head, 2, 0) == 2 && head[0] == '#' && head[1] == '!')
                                return refused(diag_add(s->diags, hook, 0, "refused: its interpreter %s is a \"#!\" script",
                                                p));
                        return 0;
                }
                if (fd != -EPERM || !r.what || !streq(r.why, "a symbolic link") || hops >= 40) {
                        char e[96];

                        if (fd == -ENOMEM)
                                return fd;
                        if (fd == -EPERM && r.what)
                                return refused(diag_add(s->diags, hook, 0,
                                                "refused: its interpreter %s: %s is %s (dmabufd runs as root and runs what it names)",
                                                p, r.what, hops >= 40 ? "too many symbolic links" : r.why));
                        return refused(diag_add(s->diags, hook, 0, "refused: its interpreter %s: %s", p,
                                        errno_describe(-fd, e)));
                }
                /* r.what is a symlink in a trusted directory: follow it. */
                target = calloc(1, PATH_MAX);
                if (!target)
                        return -ENOMEM;
                k = readlink(r.what, target, PATH_MAX - 1);
                if (k < 0)
                        return refused(diag_add(s->diags, hook, 0, "refused: its interpreter %s: cannot read link %s", p,
                                        r.what));
                target[k] = '\0';
                {
                        const char *rest = path + strlen(r.what);
                        char *dir = strrchr(r.what, '/');

                        *dir = '\0';
                        if (target[0] == '/' ? asprintf(&next, "%s%s", target, rest) < 0
                                             : asprintf(&next, "%s/%s%s", r.what, target, rest) < 0)
                                return -ENOMEM;
                }
                free(path);
                path = TAKE_PTR(next);
        }
}

/* The hook named by alert-hook, opened once and checked like the files:
 * it is executed from this fd. */
int config_open_hook(struct config_state *s) {
        _cleanup_(dbc_trust_refusal_done) struct dbc_trust_refusal r = {};
        struct dbc_config *c = s->config;
        _cleanup_close_ int fd = -1;
        struct stat st;
        char head[2];

        if (!c->alert_hook || !*c->alert_hook || !s->trust)
                return 0;
        if (c->alert_hook[0] != '/')
                return diag_add(s->diags, c->alert_hook, 0, "alert-hook must be an absolute path");
        fd = dbc_trust_open(s->trust, c->alert_hook, &r);
        if (fd < 0)
                return open_problem(s, c->alert_hook, fd, &r);
        if (fstat(fd, &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode) || !(st.st_mode & 0111))
                return diag_add(s->diags, c->alert_hook, 0, "alert-hook is not an executable regular file");
        /* A "#!" script is run by its interpreter through /proc/self/fd/3,
         * which must then stay open across the exec (alert.h). */
        c->hook_script = pread(fd, head, 2, 0) == 2 && head[0] == '#' && head[1] == '!';
        if (c->hook_script) {
                int k = check_interpreter(s, c->alert_hook, fd);

                if (k != 0)
                        return k < 0 ? k : 0;
        }
        c->hook_fd = TAKE_FD(fd);
        return 0;
}
