/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * statcheck: does `dmabufctl --json status --all` agree with the kernel?
 *
 * Reads the kernel's figures itself (every cgroup directory's memory.stat
 * `dmabuf` key and memory.max), runs dmabufctl, and compares cgroup by
 * cgroup: the same set of cgroups, the same dmabuf bytes (null where the
 * kernel has no key), the same memory.max (null for "max"). The kernel is
 * read before and after dmabufctl; a difference is only believed when the
 * kernel did not move in between, and the whole comparison is retried until
 * a deadline (memory.stat is flushed lazily).
 *
 *   statcheck [--root DIR] [--dmabufctl PATH] [--timeout SECONDS]
 *
 * Exit status: 0 agree, 1 disagree (every difference printed), 2 usage or
 * dmabufctl could not be run.
 */
#include <dirent.h>
#include <ftw.h>
#include <getopt.h>

#include "e2e.h"

#define MAX_CG 512
#define NULLV UINT64_MAX	/* "null" / "max" / no key */

struct cg {
	char path[512];		/* relative to the root, starting with '/' */
	uint64_t dmabuf;
	uint64_t max;
};

struct table {
	struct cg cg[MAX_CG];
	int n;
	int overflow;
};

static const char *root = "/sys/fs/cgroup";
static struct table *walking;

/* The value of KEY in a flat-keyed file, NULLV when absent or "max". */
static uint64_t read_key(const char *file, const char *key)
{
	char line[256], k[128];
	unsigned long long v;
	uint64_t r = NULLV;
	FILE *f = fopen(file, "re");

	if (!f)
		return NULLV;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%127s %llu", k, &v) == 2 && !strcmp(k, key)) {
			r = v;
			break;
		}
	fclose(f);
	return r;
}

static uint64_t read_max(const char *file)
{
	unsigned long long v;
	uint64_t r = NULLV;
	FILE *f = fopen(file, "re");

	if (!f)
		return NULLV;
	if (fscanf(f, "%llu", &v) == 1)
		r = v;
	fclose(f);
	return r;
}

static int visit(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	struct table *t = walking;
	char file[1024];
	struct cg *c;
	const char *rel;

	(void)st;
	(void)ftw;
	if (type != FTW_D)
		return 0;
	if (t->n == MAX_CG) {
		t->overflow = 1;
		return 0;
	}
	c = &t->cg[t->n++];
	rel = path + strlen(root);
	snprintf(c->path, sizeof(c->path), "%s", *rel ? rel : "/");
	snprintf(file, sizeof(file), "%s/memory.stat", path);
	c->dmabuf = read_key(file, "dmabuf");
	snprintf(file, sizeof(file), "%s/memory.max", path);
	c->max = read_max(file);
	return 0;
}

static int read_kernel(struct table *t)
{
	t->n = 0;
	t->overflow = 0;
	walking = t;
	return nftw(root, visit, 16, FTW_PHYS) < 0 ? -errno : 0;
}

/* ---- A small reader for dmabufctl's JSON: an array of flat objects. ---- */

static const char *skip_ws(const char *p)
{
	while (*p && isspace((unsigned char)*p))
		p++;
	return p;
}

static const char *parse_string(const char *p, char *out, size_t size)
{
	size_t n = 0;

	if (*p++ != '"')
		return NULL;
	while (*p && *p != '"') {
		char ch = *p++;

		if (ch == '\\') {
			ch = *p++;
			if (ch == 'n')
				ch = '\n';
			else if (ch == 't')
				ch = '\t';
			else if (ch == 'u') {
				/* Control characters only, in cgroup names. */
				unsigned v;

				if (sscanf(p, "%4x", &v) != 1)
					return NULL;
				p += 4;
				ch = (char)v;
			} else if (!ch)
				return NULL;
		}
		if (n + 1 < size)
			out[n++] = ch;
	}
	if (*p != '"')
		return NULL;
	out[n] = '\0';
	return p + 1;
}

/* A value: a number (*ret), null (NULLV), or a string/bool (ignored). */
static const char *parse_value(const char *p, uint64_t *ret, char *str, size_t size)
{
	char *end;

	*ret = NULLV;
	if (str)
		*str = '\0';
	if (*p == '"')
		return parse_string(p, str ? str : (char[2]){ 0 }, str ? size : 2);
	if (!strncmp(p, "null", 4))
		return p + 4;
	if (!strncmp(p, "true", 4))
		return p + 4;
	if (!strncmp(p, "false", 5))
		return p + 5;
	if (!isdigit((unsigned char)*p))
		return NULL;
	*ret = strtoull(p, &end, 10);
	return end;
}

static int parse_status(const char *p, struct table *t)
{
	char key[64], str[512];
	uint64_t v;

	t->n = 0;
	p = skip_ws(p);
	if (*p++ != '[')
		return -EINVAL;
	p = skip_ws(p);
	if (*p == ']')
		return 0;
	for (;;) {
		struct cg *c;

		if (*p++ != '{' || t->n == MAX_CG)
			return -EINVAL;
		c = &t->cg[t->n++];
		*c = (struct cg){ .dmabuf = NULLV, .max = NULLV };
		for (;;) {
			p = skip_ws(p);
			if (!(p = parse_string(p, key, sizeof(key))))
				return -EINVAL;
			p = skip_ws(p);
			if (*p++ != ':')
				return -EINVAL;
			p = skip_ws(p);
			if (!(p = parse_value(p, &v, str, sizeof(str))))
				return -EINVAL;
			if (!strcmp(key, "cgroup"))
				snprintf(c->path, sizeof(c->path), "%s", str);
			else if (!strcmp(key, "dmabuf"))
				c->dmabuf = v;
			else if (!strcmp(key, "memory_max"))
				c->max = v;
			p = skip_ws(p);
			if (*p == ',') {
				p++;
				continue;
			}
			if (*p++ != '}')
				return -EINVAL;
			break;
		}
		p = skip_ws(p);
		if (*p == ',') {
			p = skip_ws(p + 1);
			continue;
		}
		return *p == ']' ? 0 : -EINVAL;
	}
}

static int run_dmabufctl(const char *exe, struct table *t)
{
	static char out[1 << 20];
	char cmd[1024];
	size_t n = 0, r;
	FILE *f;
	int status;

	snprintf(cmd, sizeof(cmd), "%s --root %s --json status --all", exe, root);
	f = popen(cmd, "re");
	if (!f)
		return -errno;
	while (n < sizeof(out) - 1 && (r = fread(out + n, 1, sizeof(out) - 1 - n, f)) > 0)
		n += r;
	out[n] = '\0';
	status = pclose(f);
	if (status != 0) {
		fprintf(stderr, "statcheck: \"%s\" failed (status %d)\n", cmd, status);
		return -EIO;
	}
	if (parse_status(out, t) < 0) {
		fprintf(stderr, "statcheck: cannot read the JSON of \"%s\":\n%s\n", cmd, out);
		return -EINVAL;
	}
	return 0;
}

static const struct cg *find(const struct table *t, const char *path)
{
	int i;

	for (i = 0; i < t->n; i++)
		if (!strcmp(t->cg[i].path, path))
			return &t->cg[i];
	return NULL;
}

static int same_kernel(const struct table *a, const struct table *b)
{
	int i;

	if (a->n != b->n)
		return 0;
	for (i = 0; i < a->n; i++)
		if (strcmp(a->cg[i].path, b->cg[i].path) || a->cg[i].dmabuf != b->cg[i].dmabuf ||
		    a->cg[i].max != b->cg[i].max)
			return 0;
	return 1;
}

static void fmt(char *buf, size_t size, uint64_t v)
{
	if (v == NULLV)
		snprintf(buf, size, "null");
	else
		snprintf(buf, size, "%" PRIu64, v);
}

/* Compares; prints the differences when REPORT. Returns their number. */
static int compare(const struct table *k, const struct table *d, int report)
{
	char a[32], b[32];
	int i, bad = 0;

	for (i = 0; i < k->n; i++) {
		const struct cg *kc = &k->cg[i], *dc = find(d, kc->path);

		if (!dc) {
			bad++;
			if (report)
				printf("  %s: in the kernel's tree, missing from dmabufctl\n", kc->path);
			continue;
		}
		if (kc->dmabuf != dc->dmabuf) {
			bad++;
			fmt(a, sizeof(a), kc->dmabuf);
			fmt(b, sizeof(b), dc->dmabuf);
			if (report)
				printf("  %s: dmabuf %s in memory.stat, %s from dmabufctl\n", kc->path, a, b);
		}
		/* The root has no memory.max: dmabufctl says null there too. */
		if (kc->max != dc->max) {
			bad++;
			fmt(a, sizeof(a), kc->max);
			fmt(b, sizeof(b), dc->max);
			if (report)
				printf("  %s: memory.max %s in the kernel, %s from dmabufctl\n", kc->path, a, b);
		}
	}
	for (i = 0; i < d->n; i++)
		if (!find(k, d->cg[i].path)) {
			bad++;
			if (report)
				printf("  %s: shown by dmabufctl, not in the kernel's tree\n", d->cg[i].path);
		}
	return bad;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "root", required_argument, NULL, 'r' },
		{ "dmabufctl", required_argument, NULL, 'd' },
		{ "timeout", required_argument, NULL, 't' },
		{}
	};
	static struct table before, after, shown;
	const char *exe = "dmabufctl";
	double deadline, timeout = 10;
	int opt, r, i, attempts = 0;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'r': root = optarg; break;
		case 'd': exe = optarg; break;
		case 't': timeout = atof(optarg); break;
		default:
			fprintf(stderr, "Usage: statcheck [--root DIR] [--dmabufctl PATH] [--timeout SECONDS]\n");
			return 2;
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	deadline = e2e_now() + timeout;
	for (;;) {
		attempts++;
		if ((r = read_kernel(&before)) < 0 || (r = run_dmabufctl(exe, &shown)) < 0 ||
		    (r = read_kernel(&after)) < 0) {
			fprintf(stderr, "statcheck: %s\n", strerror(-r));
			return 2;
		}
		if (before.overflow) {
			fprintf(stderr, "statcheck: more than %d cgroups\n", MAX_CG);
			return 2;
		}
		if (same_kernel(&before, &after) && !compare(&after, &shown, 0))
			break;
		if (e2e_now() > deadline) {
			printf("statcheck: dmabufctl status --json disagrees with the kernel after %d attempts%s:\n",
			       attempts, same_kernel(&before, &after) ? "" : " (the kernel's figures kept moving)");
			compare(&after, &shown, 1);
			return 1;
		}
		e2e_sleep_ms(200);
	}
	printf("statcheck: dmabufctl status --json agrees with memory.stat and memory.max on %d cgroups\n",
	       after.n);
	for (i = 0; i < after.n; i++)
		if (after.cg[i].dmabuf && after.cg[i].dmabuf != NULLV)
			printf("statcheck:   %s dmabuf %" PRIu64 "\n", after.cg[i].path, after.cg[i].dmabuf);
	return 0;
}
