/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The serving side of the allocator protocol (e2e.h), shared by allocd and
 * compd: one process, a poll() loop over the listening socket and up to
 * E2E_MAX_PEERS connections. Each connection's pidfd is taken when it is
 * accepted, before the greeting, so a request is always charged to the
 * process that connected, or fails with the kernel's ESRCH when it has gone.
 * A request may carry a forwarded pidfd (E2E_REQ_ON_BEHALF): the handler
 * decides whether to honour it.
 */
#ifndef E2E_SERVER_H
#define E2E_SERVER_H

#include <poll.h>

#include "e2e.h"

#define E2E_MAX_PEERS 64

struct e2e_peer {
	int sock;
	int pidfd;
	struct ucred cred;
};

/* Serves REQ for PEER (ON_BEHALF: the pidfd forwarded with it, else -1;
 * the loop closes it): returns the fd to pass back (ownership passes to the
 * loop, which closes it once sent) or -errno to send as the error. */
typedef int (*e2e_handler)(const struct e2e_peer *peer, const struct e2e_request *req,
			   int on_behalf, void *userdata);

/* Logs to stderr with the program's name; never fails. */
static inline void e2e_log(const char *prog, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static inline void e2e_log(const char *prog, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static inline void e2e_peer_drop(struct e2e_peer *p)
{
	close(p->sock);
	if (p->pidfd >= 0)
		close(p->pidfd);
	p->sock = p->pidfd = -1;
}

static inline void e2e_accept(const char *prog, int lfd, struct e2e_peer *peers, int verbose)
{
	struct e2e_reply hello = { .magic = E2E_MAGIC };
	struct e2e_peer p = { .pidfd = -1 };
	int i, r;

	p.sock = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (p.sock < 0) {
		e2e_log(prog, "accept: %s", strerror(errno));
		return;
	}
	for (i = 0; i < E2E_MAX_PEERS && peers[i].sock >= 0; i++)
		;
	r = i == E2E_MAX_PEERS ? -EMFILE : e2e_peer_pidfd(p.sock, &p.cred);
	if (r < 0) {
		/* The client learns why from the greeting. */
		e2e_log(prog, "refusing a connection: %s (%s)", e2e_errname(r), strerror(-r));
		hello.error = -r;
		e2e_send_reply(p.sock, &hello, -1);
		close(p.sock);
		return;
	}
	p.pidfd = r;
	if (e2e_send_reply(p.sock, &hello, -1) < 0) {
		e2e_peer_drop(&p);
		return;
	}
	if (verbose)
		e2e_log(prog, "client pid %d (uid %u) connected", (int)p.cred.pid, (unsigned)p.cred.uid);
	peers[i] = p;
}

/* Reads one request of PEER and answers it; drops the peer when it is gone. */
static inline void e2e_serve_one(const char *prog, struct e2e_peer *p, e2e_handler handle,
				 void *userdata, int verbose)
{
	struct e2e_request req;
	struct e2e_reply reply = { .magic = E2E_MAGIC };
	ssize_t n;
	int fd, r, on_behalf = -1;

	n = e2e_recv_with_fd(p->sock, &req, sizeof(req), &on_behalf);
	if (n < 0 && n != -EPROTO) {	/* gone (EPIPE), or the socket broke */
		if (verbose)
			e2e_log(prog, "client pid %d disconnected: %s", (int)p->cred.pid,
				e2e_errname((int)n));
		e2e_peer_drop(p);
		return;
	}
	if (n != sizeof(req) || req.magic != E2E_MAGIC || req.op != E2E_OP_ALLOC ||
	    (req.flags & ~E2E_REQ_ON_BEHALF) || req.reserved ||
	    !(req.flags & E2E_REQ_ON_BEHALF) != (on_behalf < 0)) {
		fd = -EPROTO;
	} else {
		req.name[sizeof(req.name) - 1] = '\0';
		fd = handle(p, &req, on_behalf, userdata);
	}
	if (on_behalf >= 0)
		close(on_behalf);
	if (fd < 0) {
		reply.error = -fd;
		e2e_log(prog, "client pid %d: %" PRIu64 " bytes \"%s\": %s (%s)", (int)p->cred.pid,
			req.size, req.name, e2e_errname(fd), strerror(-fd));
	} else {
		reply.size = req.size;
		if (verbose)
			e2e_log(prog, "client pid %d: %" PRIu64 " bytes \"%s\": passed as a dma-buf",
				(int)p->cred.pid, req.size, req.name);
	}
	r = e2e_send_reply(p->sock, &reply, fd);
	if (fd >= 0)
		close(fd);	/* the client holds it now; the charge stays where it is */
	if (r < 0) {
		e2e_log(prog, "client pid %d: reply not delivered: %s", (int)p->cred.pid, strerror(-r));
		e2e_peer_drop(p);
	}
}

/* Serves the listening socket LFD forever; returns only on a poll error. */
static inline int e2e_serve(const char *prog, int lfd, e2e_handler handle, void *userdata,
			    int verbose)
{
	struct e2e_peer peers[E2E_MAX_PEERS];
	struct pollfd pfd[E2E_MAX_PEERS + 1];
	int i, n;

	for (i = 0; i < E2E_MAX_PEERS; i++)
		peers[i].sock = peers[i].pidfd = -1;
	for (;;) {
		pfd[0] = (struct pollfd){ .fd = lfd, .events = POLLIN };
		for (i = 0; i < E2E_MAX_PEERS; i++)
			pfd[i + 1] = (struct pollfd){ .fd = peers[i].sock, .events = POLLIN };
		n = poll(pfd, E2E_MAX_PEERS + 1, -1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		for (i = 0; i < E2E_MAX_PEERS; i++)
			if (peers[i].sock >= 0 && pfd[i + 1].revents)
				e2e_serve_one(prog, &peers[i], handle, userdata, verbose);
		if (pfd[0].revents & POLLIN)
			e2e_accept(prog, lfd, peers, verbose);
	}
}

#endif
