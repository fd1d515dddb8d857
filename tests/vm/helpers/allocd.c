/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * allocd: a gralloc-like allocator service for the VM scenarios.
 *
 * Clients connect to a unix socket (protocol: e2e.h) and ask for buffers by
 * size and name. allocd takes the client's pidfd when it accepts the
 * connection, allocates from the dma-heap with DMA_HEAP_FLAG_CHARGE_PIDFD and
 * charge_pid_fd set to it, so the client's memory cgroup pays, names the
 * buffer (DMA_BUF_SET_NAME) and passes the fd back with SCM_RIGHTS. Every
 * failure reaches the client as an errno.
 *
 * The double hop: a middle hop (compd) forwards its app's pidfd with the
 * request (E2E_REQ_ON_BEHALF), and allocd charges that process instead of
 * the middle hop. allocd honours a forwarded pidfd only from a peer running
 * as a --forwarder uid (default: root only); from anyone else the request
 * is refused with EPERM, so that no client can make allocd charge a
 * stranger (the kernel checks allocd, not the client).
 *
 * Test knobs: --user UID drops root after opening the heap (without
 * CAP_SYS_RESOURCE the kernel then charges only processes in allocd's own
 * memory cgroup: EPERM for the rest); --delay-ms MS waits between a request
 * and its allocation (so a client can exit in between: ESRCH);
 * --charge-self allocates without the flag, as an allocator that does not
 * know the series would (the allocator's cgroup pays, mainline's
 * mem_accounting self charge).
 */
#include <getopt.h>
#include <grp.h>
#include <signal.h>

#include "e2e-server.h"

static const char *prog = "allocd";

#define MAX_FORWARDERS 8

struct allocd {
	int heapfd;
	unsigned delay_ms;
	int charge_self;
	uid_t forwarders[MAX_FORWARDERS];
	unsigned n_forwarders;
};

static int may_forward(const struct allocd *a, uid_t uid)
{
	for (unsigned i = 0; i < a->n_forwarders; i++)
		if (a->forwarders[i] == uid)
			return 1;
	return 0;
}

static int handle_alloc(const struct e2e_peer *peer, const struct e2e_request *req, int on_behalf,
			void *userdata)
{
	struct allocd *a = userdata;
	int fd, r, pidfd = peer->pidfd;

	if (on_behalf >= 0) {
		if (!may_forward(a, peer->cred.uid)) {
			e2e_log(prog, "client pid %d (uid %u) forwarded a pidfd: not a --forwarder",
				(int)peer->cred.pid, (unsigned)peer->cred.uid);
			return -EPERM;
		}
		pidfd = on_behalf;
	}
	if (a->delay_ms)
		e2e_sleep_ms(a->delay_ms);
	fd = e2e_heap_alloc(a->heapfd, req->size, a->charge_self ? -1 : pidfd);
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
		"  --charge-self    no DMA_HEAP_FLAG_CHARGE_PIDFD: charge allocd, not the client\n"
		"  --forwarder UID  a peer running as UID may forward an app's pidfd\n"
		"                   (repeatable; default: 0 only)\n"
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
		{ "forwarder", required_argument, NULL, 'f' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	struct allocd a = { .heapfd = -1 };
	const char *sock = NULL, *heap = E2E_HEAP_DEFAULT, *cgroup = NULL;
	long uid = -1, f;
	int verbose = 0, c, lfd, r, forwarders_given = 0;
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
		case 'f':
			f = strtol(optarg, &end, 10);
			if (*end || !*optarg || f < 0 || a.n_forwarders == MAX_FORWARDERS) {
				fprintf(stderr, "allocd: --forwarder takes a numeric uid (at most %d), not \"%s\"\n",
					MAX_FORWARDERS, optarg);
				return 2;
			}
			a.forwarders[a.n_forwarders++] = (uid_t)f;
			forwarders_given = 1;
			break;
		case 'v': verbose = 1; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (!sock || optind != argc) {
		fprintf(stderr, "allocd: %s\n", !sock ? "--socket PATH is required" : "unexpected argument");
		return 2;
	}
	if (!forwarders_given)
		a.forwarders[a.n_forwarders++] = 0;
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
