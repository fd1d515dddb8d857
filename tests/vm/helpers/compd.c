/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * compd: a compositor-like middle hop for the VM scenarios (the double hop
 * app -> compositor -> gralloc).
 *
 * An app asks compd for a buffer (protocol: e2e.h); compd asks allocd for
 * it on the app's behalf: it forwards the app's pidfd (taken when the app
 * connected) with the request by SCM_RIGHTS, allocd allocates with
 * DMA_HEAP_FLAG_CHARGE_PIDFD and that pidfd, so the app is charged as the
 * pages are allocated and compd never is; then compd passes the fd on.
 * There is no charge to move afterwards (the series has no transfer uAPI).
 * Any failure (ENOMEM at the app's memory.max, EPERM, ESRCH) reaches the
 * app as its errno. --no-forward asks on compd's own behalf instead: compd
 * is charged for the app's buffers (what happens without the series).
 * --keep holds a copy of every buffer passed on, as a compositor holds the
 * window buffers it composites (until compd exits).
 */
#include <getopt.h>
#include <signal.h>

#include "e2e-server.h"

static const char *prog = "compd";

#define MAX_KEPT 256

struct compd {
	int alloc_sock;
	int forward;
	int keep;
	int verbose;
	unsigned n_kept;
	int kept[MAX_KEPT];
};

static int handle_request(const struct e2e_peer *peer, const struct e2e_request *req, int on_behalf,
			  void *userdata)
{
	struct compd *c = userdata;
	int fd;

	if (on_behalf >= 0)	/* compd is the first hop: it serves apps only */
		return -EPERM;
	fd = e2e_request_alloc(c->alloc_sock, req->size, req->name, c->forward ? peer->pidfd : -1);
	if (fd < 0) {
		e2e_log(prog, "allocd refused %" PRIu64 " bytes: %s", req->size, e2e_errname(fd));
		return fd;
	}
	if (c->keep) {
		int copy = c->n_kept < MAX_KEPT ? fcntl(fd, F_DUPFD_CLOEXEC, 3) : -1;

		if (copy < 0) {
			e2e_log(prog, "cannot keep a copy of \"%s\": %s", req->name,
				c->n_kept < MAX_KEPT ? strerror(errno) : "too many kept");
			close(fd);
			return -EMFILE;
		}
		c->kept[c->n_kept++] = copy;
	}
	if (c->verbose)
		e2e_log(prog, "\"%s\" (%" PRIu64 " bytes) for pid %d: %s", req->name, req->size,
			(int)peer->cred.pid, c->forward ? "charged to it (pidfd forwarded)" :
			"charged to compd (not forwarded)");
	return fd;
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: compd --socket PATH --allocator PATH [OPTIONS]\n"
		"A compositor-like middle hop: buffers from allocd, charged to the app.\n"
		"  --socket PATH     listen here for apps\n"
		"  --allocator PATH  allocd's socket\n"
		"  --cgroup DIR      move into this cgroup directory first\n"
		"  --no-forward      ask allocd on compd's own behalf (compd is charged)\n"
		"  --keep            hold a copy of every buffer passed on\n"
		"  -v, --verbose     log every connection and buffer\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "allocator", required_argument, NULL, 'a' },
		{ "cgroup", required_argument, NULL, 'c' },
		{ "no-forward", no_argument, NULL, 'n' },
		{ "keep", no_argument, NULL, 'k' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	struct compd c = { .alloc_sock = -1, .forward = 1 };
	const char *sock = NULL, *allocator = NULL, *cgroup = NULL;
	int opt, lfd, r;

	while ((opt = getopt_long(argc, argv, "vh", opts, NULL)) != -1) {
		switch (opt) {
		case 's': sock = optarg; break;
		case 'a': allocator = optarg; break;
		case 'c': cgroup = optarg; break;
		case 'n': c.forward = 0; break;
		case 'k': c.keep = 1; break;
		case 'v': c.verbose = 1; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (!sock || !allocator || optind != argc) {
		fprintf(stderr, "compd: %s\n", optind != argc ? "unexpected argument" :
			"--socket PATH and --allocator PATH are required");
		return 2;
	}
	setvbuf(stderr, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);

	if (cgroup && (r = e2e_join_cgroup(cgroup)) < 0) {
		e2e_log(prog, "cannot move into cgroup %s: %s", cgroup, strerror(-r));
		return 1;
	}
	c.alloc_sock = e2e_connect(allocator);
	if (c.alloc_sock < 0) {
		e2e_log(prog, "cannot reach the allocator at %s: %s", allocator, strerror(-c.alloc_sock));
		return 1;
	}
	lfd = e2e_listen(sock, 0666);
	if (lfd < 0) {
		e2e_log(prog, "cannot listen on %s: %s", sock, strerror(-lfd));
		return 1;
	}
	e2e_log(prog, "pid %d: serving %s, buffers from %s%s", (int)getpid(), sock, allocator,
		c.forward ? ", each app's pidfd forwarded" : ", on its own behalf");
	r = e2e_serve(prog, lfd, handle_request, &c, c.verbose);
	e2e_log(prog, "poll: %s", strerror(-r));
	return 1;
}
