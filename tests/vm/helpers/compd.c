/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * compd: a compositor-like middle hop for the VM scenarios (the double hop
 * app -> compositor -> gralloc).
 *
 * An app asks compd for a buffer (protocol: e2e.h); compd asks allocd on
 * its own behalf, so allocd charges compd, then moves the whole charge to
 * the app with DMA_BUF_IOCTL_TRANSFER_CHARGE before it passes the fd on.
 * A buffer that is not charged (accounting off) gives EOPNOTSUPP: compd
 * passes it on all the same. Any other failure (ENOMEM at the app's
 * memory.max, EPERM, ESRCH) reaches the app as its errno, and compd's copy
 * is closed, which drops the charge it still carries.
 */
#include <getopt.h>
#include <signal.h>

#include "e2e-server.h"

static const char *prog = "compd";

struct compd {
	int alloc_sock;
	int transfer;
	int verbose;
};

static int handle_request(const struct e2e_peer *peer, const struct e2e_request *req, void *userdata)
{
	struct compd *c = userdata;
	int fd, r;

	fd = e2e_request_alloc(c->alloc_sock, req->size, req->name);
	if (fd < 0) {
		e2e_log(prog, "allocd refused %" PRIu64 " bytes: %s", req->size, e2e_errname(fd));
		return fd;
	}
	if (!c->transfer)
		return fd;
	r = e2e_transfer_charge(fd, peer->pidfd);
	if (r == -EOPNOTSUPP) {
		if (c->verbose)
			e2e_log(prog, "buffer \"%s\" is not charged (accounting off): nothing to move",
				req->name);
		return fd;
	}
	if (r < 0) {
		close(fd);
		return r;
	}
	if (c->verbose)
		e2e_log(prog, "moved the charge of \"%s\" (%" PRIu64 " bytes) to pid %d", req->name,
			req->size, (int)peer->cred.pid);
	return fd;
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: compd --socket PATH --allocator PATH [OPTIONS]\n"
		"A compositor-like middle hop: buffers from allocd, charge moved to the app.\n"
		"  --socket PATH     listen here for apps\n"
		"  --allocator PATH  allocd's socket\n"
		"  --cgroup DIR      move into this cgroup directory first\n"
		"  --no-transfer     pass buffers on without moving the charge\n"
		"  -v, --verbose     log every connection and buffer\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "allocator", required_argument, NULL, 'a' },
		{ "cgroup", required_argument, NULL, 'c' },
		{ "no-transfer", no_argument, NULL, 'n' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	struct compd c = { .alloc_sock = -1, .transfer = 1 };
	const char *sock = NULL, *allocator = NULL, *cgroup = NULL;
	int opt, lfd, r;

	while ((opt = getopt_long(argc, argv, "vh", opts, NULL)) != -1) {
		switch (opt) {
		case 's': sock = optarg; break;
		case 'a': allocator = optarg; break;
		case 'c': cgroup = optarg; break;
		case 'n': c.transfer = 0; break;
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
		c.transfer ? ", charge moved to each app" : ", charge left where allocd put it");
	r = e2e_serve(prog, lfd, handle_request, &c, c.verbose);
	e2e_log(prog, "poll: %s", strerror(-r));
	return 1;
}
