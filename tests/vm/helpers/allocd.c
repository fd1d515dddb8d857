/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * allocd: a gralloc-like allocator service for the VM scenarios.
 *
 * Clients connect to a unix socket (protocol: e2e.h) and ask for buffers by
 * size and name. allocd takes the client's pidfd when it accepts the
 * connection, allocates from the dma-heap with charge_pid_fd set to it, so
 * the client's memory cgroup pays, names the buffer (DMA_BUF_SET_NAME) and
 * passes the fd back with SCM_RIGHTS. Every failure reaches the client as an
 * errno.
 *
 * Test knobs: --user UID drops root after opening the heap (the kernel must
 * then refuse to charge a root client: EPERM); --delay-ms MS waits between a
 * request and its allocation (so a client can exit in between: ESRCH);
 * --charge-self allocates with charge_pid_fd 0, as an allocator that does not
 * know the series would (the allocator's cgroup pays).
 */
#include <getopt.h>
#include <grp.h>
#include <signal.h>

#include "e2e-server.h"

static const char *prog = "allocd";

struct allocd {
	int heapfd;
	unsigned delay_ms;
	int charge_self;
};

static int handle_alloc(const struct e2e_peer *peer, const struct e2e_request *req, void *userdata)
{
	struct allocd *a = userdata;
	int fd, r;

	if (a->delay_ms)
		e2e_sleep_ms(a->delay_ms);
	fd = e2e_heap_alloc(a->heapfd, req->size, a->charge_self ? 0 : peer->pidfd);
	if (fd < 0)
		return fd;
	if (req->name[0]) {
		r = e2e_set_name(fd, req->name);
		if (r < 0) {
			close(fd);
			return r;
		}
	}
	return fd;
}

static int drop_privileges(uid_t uid)
{
	gid_t gid = (gid_t)uid;

	if (setgroups(0, NULL) < 0 || setresgid(gid, gid, gid) < 0 || setresuid(uid, uid, uid) < 0)
		return -errno;
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: allocd --socket PATH [OPTIONS]\n"
		"A gralloc-like dma-buf allocator: charges each buffer to the client that asks.\n"
		"  --socket PATH    listen here (SOCK_SEQPACKET)\n"
		"  --heap PATH      dma-heap to allocate from (default " E2E_HEAP_DEFAULT ")\n"
		"  --cgroup DIR     move into this cgroup directory first\n"
		"  --user UID       drop root (uid and gid UID) once the heap is open\n"
		"  --delay-ms MS    wait MS between a request and its allocation\n"
		"  --charge-self    charge_pid_fd 0: charge allocd, not the client\n"
		"  -v, --verbose    log every connection and buffer\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "heap", required_argument, NULL, 'H' },
		{ "cgroup", required_argument, NULL, 'c' },
		{ "user", required_argument, NULL, 'u' },
		{ "delay-ms", required_argument, NULL, 'd' },
		{ "charge-self", no_argument, NULL, 'S' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	struct allocd a = { .heapfd = -1 };
	const char *sock = NULL, *heap = E2E_HEAP_DEFAULT, *cgroup = NULL;
	long uid = -1;
	int verbose = 0, c, lfd, r;
	char *end;

	while ((c = getopt_long(argc, argv, "vh", opts, NULL)) != -1) {
		switch (c) {
		case 's': sock = optarg; break;
		case 'H': heap = optarg; break;
		case 'c': cgroup = optarg; break;
		case 'u':
			uid = strtol(optarg, &end, 10);
			if (*end || uid < 0) {
				fprintf(stderr, "allocd: --user takes a numeric uid, not \"%s\"\n", optarg);
				return 2;
			}
			break;
		case 'd':
			a.delay_ms = (unsigned)strtoul(optarg, &end, 10);
			if (*end || !*optarg) {
				fprintf(stderr, "allocd: --delay-ms takes milliseconds, not \"%s\"\n", optarg);
				return 2;
			}
			break;
		case 'S': a.charge_self = 1; break;
		case 'v': verbose = 1; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (!sock || optind != argc) {
		fprintf(stderr, "allocd: %s\n", !sock ? "--socket PATH is required" : "unexpected argument");
		return 2;
	}
	setvbuf(stderr, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);

	if (cgroup && (r = e2e_join_cgroup(cgroup)) < 0) {
		e2e_log(prog, "cannot move into cgroup %s: %s", cgroup, strerror(-r));
		return 1;
	}
	a.heapfd = open(heap, O_RDONLY | O_CLOEXEC);
	if (a.heapfd < 0) {
		e2e_log(prog, "cannot open %s: %s", heap, strerror(errno));
		return 1;
	}
	lfd = e2e_listen(sock, 0666);
	if (lfd < 0) {
		e2e_log(prog, "cannot listen on %s: %s", sock, strerror(-lfd));
		return 1;
	}
	if (uid >= 0 && (r = drop_privileges((uid_t)uid)) < 0) {
		e2e_log(prog, "cannot become uid %ld: %s", uid, strerror(-r));
		return 1;
	}
	e2e_log(prog, "pid %d uid %d: serving %s on %s%s%s", (int)getpid(), (int)getuid(), heap, sock,
		a.charge_self ? ", charging itself" : ", charging each client",
		a.delay_ms ? " (with a delay before each allocation)" : "");
	r = e2e_serve(prog, lfd, handle_alloc, &a, verbose);
	e2e_log(prog, "poll: %s", strerror(-r));
	return 1;
}
