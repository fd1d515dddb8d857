/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * client: an app that asks an allocator (allocd or compd) for dma-bufs and
 * holds them, driven by a scenario one command at a time.
 *
 *   client serve --allocator PATH --control PATH [--cgroup DIR] [--user UID]
 *       connects to the allocator and answers commands on the control
 *       socket until told to exit (or killed); --user runs it as UID (and
 *       gid UID), still dumpable (as a real app would be);
 *   client ctl PATH COMMAND [ARG...]
 *       sends one command and prints the answer: "ok ..." (exit 0) or
 *       "error ENAME: message" (exit 1); 2 when the client cannot be reached.
 *
 * Commands:
 *   alloc SIZE [NAME]       ask for a buffer; prints its id, size, inode and
 *                           the charged_cgroup_id of its fdinfo (or "none")
 *   map ID|all              mmap and write every page of a buffer
 *   close ID|all            close buffers
 *   list                    one line per buffer held
 *   cycles N SIZE           N times: ask for a buffer and close it
 *   ask-and-exit SIZE [NAME]  a child process connects and asks, then exits
 *                           before the answer; prints the answer it got
 *   pid                     this process' pid
 *   exit                    exit at once, with every buffer still open
 */
#include <getopt.h>
#include <grp.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include "e2e.h"

#define MAX_BUFS 4096
#define REPLY_MAX 65536

struct buf {
	int fd;
	uint64_t size;
	void *map;
	char name[E2E_NAME_LEN];
};

static struct buf bufs[MAX_BUFS];
static int alloc_sock = -1;
static const char *alloc_path;

/* Appends to the reply being built. */
struct out {
	char buf[REPLY_MAX];
	size_t len;
};

static void say(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->len >= sizeof(o->buf) - 1)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->len, sizeof(o->buf) - o->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->len += (size_t)n < sizeof(o->buf) - o->len ? (size_t)n : sizeof(o->buf) - o->len - 1;
}

static void say_error(struct out *o, int r, const char *what)
{
	say(o, "error %s: %s%s%s\n", e2e_errname(r), strerror(-r), what ? ": " : "", what ? what : "");
}

static void describe(struct out *o, int id)
{
	struct buf *b = &bufs[id];
	struct stat st;
	uint64_t cg;
	int r;

	if (fstat(b->fd, &st) < 0)
		st.st_ino = 0;
	say(o, "id=%d size=%" PRIu64 " inode=%lu name=%s charged_cgroup_id=", id, b->size,
	    (unsigned long)st.st_ino, b->name[0] ? b->name : "-");
	r = e2e_fdinfo_charged_id(0, b->fd, &cg);
	if (r > 0)
		say(o, "%" PRIu64 "\n", cg);
	else
		say(o, "%s\n", r == 0 ? "none" : e2e_errname(r));
}

static int parse_id(const char *s, int *ret)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (!*s || *end || v < 0 || v >= MAX_BUFS || bufs[v].fd < 0)
		return -ENOENT;
	*ret = (int)v;
	return 0;
}

static void cmd_alloc(struct out *o, int argc, char **argv)
{
	uint64_t size = 0;
	int fd, id;

	if (argc < 2 || argc > 3 || e2e_parse_size(argv[1], &size) < 0) {
		say(o, "error EINVAL: usage: alloc SIZE [NAME]\n");
		return;
	}
	for (id = 0; id < MAX_BUFS && bufs[id].fd >= 0; id++)
		;
	if (id == MAX_BUFS) {
		say_error(o, -EMFILE, "too many buffers held");
		return;
	}
	fd = e2e_request_alloc(alloc_sock, size, argc > 2 ? argv[2] : "", -1);
	if (fd < 0) {
		say_error(o, fd, NULL);
		return;
	}
	bufs[id] = (struct buf){ .fd = fd, .size = size };
	snprintf(bufs[id].name, sizeof(bufs[id].name), "%s", argc > 2 ? argv[2] : "");
	say(o, "ok ");
	describe(o, id);
}

static int map_one(struct buf *b)
{
	uint64_t off;

	if (b->map)
		return 0;
	b->map = mmap(NULL, b->size, PROT_READ | PROT_WRITE, MAP_SHARED, b->fd, 0);
	if (b->map == MAP_FAILED) {
		b->map = NULL;
		return -errno;
	}
	for (off = 0; off < b->size; off += 4096)
		((volatile char *)b->map)[off] = 1;
	return 0;
}

static void close_one(struct buf *b)
{
	if (b->map)
		munmap(b->map, b->size);
	close(b->fd);
	*b = (struct buf){ .fd = -1 };
}

/* map and close: on one buffer by id or on all. */
static void cmd_each(struct out *o, int argc, char **argv, int do_map)
{
	int id, n = 0, r;
	uint64_t bytes = 0;

	if (argc != 2) {
		say(o, "error EINVAL: usage: %s ID|all\n", argv[0]);
		return;
	}
	for (id = 0; id < MAX_BUFS; id++) {
		if (bufs[id].fd < 0)
			continue;
		if (strcmp(argv[1], "all")) {
			int want;

			if (parse_id(argv[1], &want) < 0) {
				say(o, "error ENOENT: no buffer %s\n", argv[1]);
				return;
			}
			if (id != want)
				continue;
		}
		bytes += bufs[id].size;
		n++;
		if (do_map) {
			r = map_one(&bufs[id]);
			if (r < 0) {
				say_error(o, r, "mmap");
				return;
			}
		} else {
			close_one(&bufs[id]);
		}
	}
	if (!n && strcmp(argv[1], "all")) {
		say(o, "error ENOENT: no buffer %s\n", argv[1]);
		return;
	}
	say(o, "ok %s %d buffers, %" PRIu64 " bytes\n", do_map ? "mapped" : "closed", n, bytes);
}

static void cmd_list(struct out *o)
{
	int id, n = 0;

	for (id = 0; id < MAX_BUFS; id++)
		if (bufs[id].fd >= 0) {
			describe(o, id);
			n++;
		}
	say(o, "ok %d buffers\n", n);
}

static void cmd_cycles(struct out *o, int argc, char **argv)
{
	unsigned long n, i;
	uint64_t size = 0;
	double start;
	char *end;
	int fd;

	if (argc != 3 || !(n = strtoul(argv[1], &end, 10)) || *end ||
	    e2e_parse_size(argv[2], &size) < 0) {
		say(o, "error EINVAL: usage: cycles N SIZE\n");
		return;
	}
	start = e2e_now();
	for (i = 0; i < n; i++) {
		fd = e2e_request_alloc(alloc_sock, size, "cycle", -1);
		if (fd < 0) {
			char what[64];

			snprintf(what, sizeof(what), "after %lu of %lu cycles", i, n);
			say_error(o, fd, what);
			return;
		}
		close(fd);
	}
	say(o, "ok %lu cycles of %" PRIu64 " bytes in %.2fs\n", n, size, e2e_now() - start);
}

/*
 * A child connects and asks, then exits before the answer comes; this
 * process shares the child's socket and reads the answer, which is the
 * allocator's verdict on a client that has gone (ESRCH from the kernel).
 */
static void cmd_ask_and_exit(struct out *o, int argc, char **argv)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct e2e_request req = { .magic = E2E_MAGIC, .op = E2E_OP_ALLOC };
	struct e2e_reply reply;
	pid_t child;
	int s, fd = -1, r, status;

	if (argc < 2 || argc > 3 || e2e_parse_size(argv[1], &req.size) < 0) {
		say(o, "error EINVAL: usage: ask-and-exit SIZE [NAME]\n");
		return;
	}
	snprintf(req.name, sizeof(req.name), "%s", argc > 2 ? argv[2] : "");
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", alloc_path);
	s = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (s < 0) {
		say_error(o, -errno, "socket");
		return;
	}
	child = fork();
	if (child < 0) {
		say_error(o, -errno, "fork");
		close(s);
		return;
	}
	if (child == 0) {
		/* The greeting says the allocator holds our pidfd. */
		if (connect(s, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
		    e2e_recv_reply(s, &reply, &fd) < 0 || reply.error ||
		    send(s, &req, sizeof(req), MSG_NOSIGNAL) < 0)
			_exit(1);
		_exit(0);
	}
	if (waitpid(child, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status)) {
		say(o, "error EPROTO: the asking child (pid %d) could not ask\n", (int)child);
		close(s);
		return;
	}
	r = e2e_recv_reply(s, &reply, &fd);
	close(s);
	if (r < 0) {
		say_error(o, r, "no answer");
		return;
	}
	if (reply.error) {
		say(o, "error %s: %s: the allocator's answer for pid %d, which has exited\n",
		    e2e_errname(reply.error), strerror(reply.error), (int)child);
		return;
	}
	/* Charged to a process that had gone: show where the charge went. */
	for (r = 0; r < MAX_BUFS && bufs[r].fd >= 0; r++)
		;
	if (r == MAX_BUFS) {
		close(fd);
		say(o, "ok a buffer for exited pid %d (closed: no room)\n", (int)child);
		return;
	}
	bufs[r] = (struct buf){ .fd = fd, .size = reply.size };
	say(o, "ok a buffer for exited pid %d: ", (int)child);
	describe(o, r);
}

static int run_command(char *line, struct out *o)
{
	char *argv[8], *save = NULL, *tok;
	int argc = 0;

	for (tok = strtok_r(line, " \t\n", &save); tok && argc < 8; tok = strtok_r(NULL, " \t\n", &save))
		argv[argc++] = tok;
	if (!argc)
		say(o, "error EINVAL: empty command\n");
	else if (!strcmp(argv[0], "alloc"))
		cmd_alloc(o, argc, argv);
	else if (!strcmp(argv[0], "map"))
		cmd_each(o, argc, argv, 1);
	else if (!strcmp(argv[0], "close"))
		cmd_each(o, argc, argv, 0);
	else if (!strcmp(argv[0], "list"))
		cmd_list(o);
	else if (!strcmp(argv[0], "cycles"))
		cmd_cycles(o, argc, argv);
	else if (!strcmp(argv[0], "ask-and-exit"))
		cmd_ask_and_exit(o, argc, argv);
	else if (!strcmp(argv[0], "pid"))
		say(o, "ok pid=%d\n", (int)getpid());
	else if (!strcmp(argv[0], "exit")) {
		say(o, "ok exiting with every buffer open\n");
		return 1;
	} else
		say(o, "error EINVAL: unknown command \"%s\"\n", argv[0]);
	return 0;
}

static int serve(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "allocator", required_argument, NULL, 'a' },
		{ "control", required_argument, NULL, 'C' },
		{ "cgroup", required_argument, NULL, 'c' },
		{ "user", required_argument, NULL, 'u' },
		{}
	};
	const char *control = NULL, *cgroup = NULL;
	long uid = -1;
	char *end;
	static struct out o;
	char line[512];
	int opt, lfd, conn, r, done = 0;
	ssize_t n;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'a': alloc_path = optarg; break;
		case 'C': control = optarg; break;
		case 'c': cgroup = optarg; break;
		case 'u':
			uid = strtol(optarg, &end, 10);
			if (*end || uid < 0) {
				fprintf(stderr, "client: --user takes a numeric uid, not \"%s\"\n", optarg);
				return 2;
			}
			break;
		default: return 2;
		}
	}
	if (!alloc_path || !control || optind != argc) {
		fprintf(stderr, "client: serve needs --allocator PATH and --control PATH\n");
		return 2;
	}
	for (r = 0; r < MAX_BUFS; r++)
		bufs[r].fd = -1;
	signal(SIGPIPE, SIG_IGN);
	if (cgroup && (r = e2e_join_cgroup(cgroup)) < 0) {
		fprintf(stderr, "client: cannot move into cgroup %s: %s\n", cgroup, strerror(-r));
		return 1;
	}
	if (uid >= 0 && (setgroups(0, NULL) < 0 || setresgid((gid_t)uid, (gid_t)uid, (gid_t)uid) < 0 ||
			 setresuid((uid_t)uid, (uid_t)uid, (uid_t)uid) < 0 ||
			 prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) < 0)) {
		fprintf(stderr, "client: cannot become uid %ld: %s\n", uid, strerror(errno));
		return 1;
	}
	alloc_sock = e2e_connect(alloc_path);
	if (alloc_sock < 0) {
		fprintf(stderr, "client: cannot reach the allocator at %s: %s (%s)\n", alloc_path,
			e2e_errname(alloc_sock), strerror(-alloc_sock));
		return 1;
	}
	lfd = e2e_listen(control, 0600);
	if (lfd < 0) {
		fprintf(stderr, "client: cannot listen on %s: %s\n", control, strerror(-lfd));
		return 1;
	}
	while (!done) {
		conn = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (conn < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "client: accept: %s\n", strerror(errno));
			return 1;
		}
		n = recv(conn, line, sizeof(line) - 1, 0);
		if (n > 0) {
			line[n] = '\0';
			o.len = 0;
			o.buf[0] = '\0';
			done = run_command(line, &o);
			send(conn, o.buf, o.len, MSG_NOSIGNAL);
		}
		close(conn);
	}
	unlink(control);
	exit(0);	/* with every buffer still open: the kernel closes them */
}

static int ctl(int argc, char **argv)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	static char reply[REPLY_MAX + 1];
	char line[512];
	size_t len = 0;
	ssize_t n;
	int s, i;

	if (argc < 3) {
		fprintf(stderr, "client: usage: client ctl PATH COMMAND [ARG...]\n");
		return 2;
	}
	for (i = 2; i < argc; i++) {
		int w = snprintf(line + len, sizeof(line) - len, "%s%s", i > 2 ? " " : "", argv[i]);

		if (w < 0 || (size_t)w >= sizeof(line) - len) {
			fprintf(stderr, "client: command too long\n");
			return 2;
		}
		len += (size_t)w;
	}
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", argv[1]);
	s = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (s < 0 || connect(s, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		fprintf(stderr, "client: cannot reach the client at %s: %s\n", argv[1], strerror(errno));
		return 2;
	}
	if (send(s, line, len, MSG_NOSIGNAL) < 0) {
		fprintf(stderr, "client: %s: %s\n", argv[1], strerror(errno));
		return 2;
	}
	n = recv(s, reply, REPLY_MAX, 0);
	if (n <= 0) {
		fprintf(stderr, "client: %s: no answer to \"%s\"%s%s\n", argv[1], line,
			n < 0 ? ": " : "", n < 0 ? strerror(errno) : "");
		return 2;
	}
	reply[n] = '\0';
	fputs(reply, stdout);
	/* The verdict is the last line's. */
	for (i = (int)n - 2; i >= 0 && reply[i] != '\n'; i--)
		;
	if (!strncmp(reply + i + 1, "ok", 2))
		return 0;
	return !strncmp(reply + i + 1, "error", 5) ? 1 : 2;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 2 && !strcmp(argv[1], "serve"))
		return serve(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "ctl"))
		return ctl(argc - 1, argv + 1);
	fprintf(stderr, "Usage: client serve --allocator PATH --control PATH [--cgroup DIR] [--user UID]\n"
			"       client ctl PATH COMMAND [ARG...]\n");
	return 2;
}
