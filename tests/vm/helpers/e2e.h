/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Shared by the end-to-end VM helpers (allocd, compd, client, statcheck):
 * the patched kernel's uAPI (with the contract's definitions where the
 * headers predate the series), the allocator protocol, fd passing and small
 * utilities. Header-only: the harness builds each helper from one .c file.
 *
 * The allocator protocol runs over a SOCK_SEQPACKET unix socket:
 *   server -> client  a greeting (struct e2e_reply, error 0) once the server
 *                     holds the client's pidfd: from then on the client may
 *                     exit and the server still charges the right process,
 *                     or fails with the kernel's ESRCH;
 *   client -> server  struct e2e_request (op E2E_OP_ALLOC, size, name); with
 *                     E2E_REQ_ON_BEHALF in flags a pidfd travels with it
 *                     (SCM_RIGHTS): a middle hop (compd) asks for the app
 *                     whose pidfd it forwards, and that app is charged;
 *   server -> client  struct e2e_reply: error 0 and the dma-buf fd as
 *                     SCM_RIGHTS, or a positive errno and no fd.
 */
#ifndef E2E_H
#define E2E_H

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <linux/dma-buf.h>
#include <linux/dma-heap.h>

/* ---- uAPI of the series (DESIGN.md, "Kernel contract") ---- */

#ifndef DMA_HEAP_FLAG_CHARGE_PIDFD
/* Headers from before the series: the contract's definition. A kernel
 * without the series rejects the flag with EINVAL. */
#define DMA_HEAP_FLAG_CHARGE_PIDFD (1ULL << 0)
#define E2E_HEADERS_BEFORE_SERIES 1
#endif

/*
 * struct dma_heap_allocation_data with the series' fields. A struct member
 * cannot be tested with #ifdef, so the helpers always use this copy and
 * check it against the installed headers when they have the series.
 */
struct e2e_heap_alloc {
	__u64 len;
	__u32 fd;
	__u32 fd_flags;
	__u64 heap_flags;
	__u32 charge_pid_fd;	/* read only with DMA_HEAP_FLAG_CHARGE_PIDFD */
	__u32 padding;		/* must be 0 */
};
#define E2E_HEAP_IOCTL_ALLOC _IOWR(DMA_HEAP_IOC_MAGIC, 0x0, struct e2e_heap_alloc)

#ifndef E2E_HEADERS_BEFORE_SERIES
_Static_assert(sizeof(struct e2e_heap_alloc) == sizeof(struct dma_heap_allocation_data),
	       "struct dma_heap_allocation_data changed");
_Static_assert(offsetof(struct e2e_heap_alloc, charge_pid_fd) ==
	       offsetof(struct dma_heap_allocation_data, charge_pid_fd),
	       "charge_pid_fd moved");
#endif

#ifndef SO_PEERPIDFD
#define SO_PEERPIDFD 77
#endif

#define E2E_HEAP_DEFAULT "/dev/dma_heap/system"

/* Allocates LEN bytes from the heap open at HEAPFD, charged to the process
 * behind PIDFD with DMA_HEAP_FLAG_CHARGE_PIDFD (any fd, 0 included), or to
 * the caller (no flag: mainline's self charge) when PIDFD is negative.
 * Returns the dma-buf fd or -errno. */
static inline int e2e_heap_alloc(int heapfd, uint64_t len, int pidfd)
{
	struct e2e_heap_alloc a = {
		.len = len,
		.fd_flags = O_RDWR | O_CLOEXEC,
	};

	if (pidfd >= 0) {
		a.heap_flags = DMA_HEAP_FLAG_CHARGE_PIDFD;
		a.charge_pid_fd = (__u32)pidfd;
	}
	if (ioctl(heapfd, E2E_HEAP_IOCTL_ALLOC, &a) < 0)
		return -errno;
	return (int)a.fd;
}

static inline int e2e_set_name(int buffd, const char *name)
{
	return ioctl(buffd, DMA_BUF_SET_NAME_B, name) < 0 ? -errno : 0;
}

static inline int e2e_pidfd_open(pid_t pid)
{
	long r = syscall(SYS_pidfd_open, pid, 0);

	return r < 0 ? -errno : (int)r;
}

/*
 * The pidfd of the peer of the connected unix socket FD, as of connect():
 * SO_PEERPIDFD (Linux 6.5) where the kernel has it, which cannot name a
 * recycled pid; else SO_PEERCRED's pid and pidfd_open(), which can in the
 * window between connect() and now.
 */
static inline int e2e_peer_pidfd(int fd, struct ucred *ret_cred)
{
	socklen_t len = sizeof(*ret_cred);
	int pidfd;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, ret_cred, &len) < 0)
		return -errno;
	len = sizeof(pidfd);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERPIDFD, &pidfd, &len) == 0)
		return pidfd;
	if (errno != ENOPROTOOPT)
		return -errno;
	return e2e_pidfd_open(ret_cred->pid);
}

/* ---- The allocator protocol ---- */

#define E2E_MAGIC 0x64626631u /* "dbf1" */
#define E2E_NAME_LEN DMA_BUF_NAME_LEN

enum { E2E_OP_ALLOC = 1 };

/* e2e_request.flags: a pidfd comes with the request; charge its process. */
#define E2E_REQ_ON_BEHALF 1u

struct e2e_request {
	uint32_t magic;
	uint32_t op;
	uint64_t size;
	uint32_t flags;
	uint32_t reserved;		/* 0 */
	char name[E2E_NAME_LEN];	/* NUL-terminated */
};

struct e2e_reply {
	uint32_t magic;
	int32_t error;		/* 0 or a positive errno */
	uint64_t size;		/* of the buffer passed along */
};

/* Sends the LEN bytes at DATA and, when FD >= 0, FD with them. */
static inline int e2e_send_with_fd(int sock, const void *data, size_t len, int fd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { .iov_base = (void *)data, .iov_len = len };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };

	if (fd >= 0) {
		struct cmsghdr *c;

		memset(&u, 0, sizeof(u));
		msg.msg_control = u.buf;
		msg.msg_controllen = sizeof(u.buf);
		c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	if (sendmsg(sock, &msg, MSG_NOSIGNAL) < 0)
		return -errno;
	return 0;
}

static inline int e2e_send_reply(int sock, const struct e2e_reply *reply, int fd)
{
	return e2e_send_with_fd(sock, reply, sizeof(*reply), fd);
}

/* Receives one message of at most LEN bytes into DATA; *RET_FD is the fd
 * passed with it, or -1. Returns its length, -EPIPE when the peer closed,
 * -EPROTO when the control data was cut. */
static inline ssize_t e2e_recv_with_fd(int sock, void *data, size_t len, int *ret_fd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { .iov_base = data, .iov_len = len };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = u.buf, .msg_controllen = sizeof(u.buf),
	};
	struct cmsghdr *c;
	ssize_t n;
	int fd = -1;

	*ret_fd = -1;
	n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	if (n < 0)
		return -errno;
	if (n == 0)
		return -EPIPE;
	for (c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
		    c->cmsg_len == CMSG_LEN(sizeof(int)))
			memcpy(&fd, CMSG_DATA(c), sizeof(int));
	if (msg.msg_flags & (MSG_CTRUNC | MSG_TRUNC)) {
		if (fd >= 0)
			close(fd);
		return -EPROTO;
	}
	*ret_fd = fd;
	return n;
}

/* Receives a reply; *RET_FD is the fd passed with it, or -1. Returns 0,
 * -EPIPE when the peer closed, -EPROTO on a malformed message. */
static inline int e2e_recv_reply(int sock, struct e2e_reply *reply, int *ret_fd)
{
	ssize_t n = e2e_recv_with_fd(sock, reply, sizeof(*reply), ret_fd);

	if (n < 0)
		return (int)n;
	if (n != sizeof(*reply) || reply->magic != E2E_MAGIC) {
		if (*ret_fd >= 0)
			close(*ret_fd);
		*ret_fd = -1;
		return -EPROTO;
	}
	return 0;
}

/* Connects to the allocator at PATH and waits for its greeting. */
static inline int e2e_connect(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct e2e_reply hello;
	int fd, r, extra = -1;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	r = e2e_recv_reply(fd, &hello, &extra);
	if (r == 0 && extra >= 0) {
		close(extra);
		r = -EPROTO;
	}
	if (r == 0 && hello.error)
		r = -hello.error;
	if (r < 0) {
		close(fd);
		return r;
	}
	return fd;
}

/* Asks the allocator on SOCK for SIZE bytes named NAME, on behalf of the
 * process behind PIDFD (forwarded with the request) or, when PIDFD is
 * negative, its own. Returns the fd of the buffer or -errno (the
 * allocator's, or a transport error). */
static inline int e2e_request_alloc(int sock, uint64_t size, const char *name, int pidfd)
{
	struct e2e_request req = { .magic = E2E_MAGIC, .op = E2E_OP_ALLOC, .size = size };
	struct e2e_reply reply;
	int fd = -1, r;

	snprintf(req.name, sizeof(req.name), "%s", name ? name : "");
	if (pidfd >= 0)
		req.flags = E2E_REQ_ON_BEHALF;
	r = e2e_send_with_fd(sock, &req, sizeof(req), pidfd);
	if (r < 0)
		return r;
	r = e2e_recv_reply(sock, &reply, &fd);
	if (r < 0)
		return r;
	if (reply.error) {
		if (fd >= 0)
			close(fd);
		return -reply.error;
	}
	if (fd < 0)
		return -EPROTO;
	return fd;
}

/* Binds and listens on a SOCK_SEQPACKET socket at PATH, atomically: the path
 * appears (by rename) only once connections are accepted. */
static inline int e2e_listen(const char *path, mode_t mode)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = -1, r;

	if (strlen(path) + 5 >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s.tmp", path);
	unlink(sa.sun_path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 64) < 0 ||
	    chmod(sa.sun_path, mode) < 0 || rename(sa.sun_path, path) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	return fd;
}

/* ---- Utilities ---- */

/* "EPERM" for EPERM; never NULL. */
static inline const char *e2e_errname(int err)
{
	const char *s = strerrorname_np(err < 0 ? -err : err);

	return s ? s : "E?";
}

/* Moves the calling process into the cgroup directory DIR. */
static inline int e2e_join_cgroup(const char *dir)
{
	char path[4096];
	int fd, r = 0;

	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, "0", 1) != 1)
		r = -errno;
	close(fd);
	return r;
}

/* Parses a size: bytes, or a K/M/G suffix (powers of 1024). */
static inline int e2e_parse_size(const char *s, uint64_t *ret)
{
	char *end;
	unsigned long long v;
	unsigned shift = 0;

	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -errno;
	switch (*end) {
	case 'K': case 'k': shift = 10; end++; break;
	case 'M': case 'm': shift = 20; end++; break;
	case 'G': case 'g': shift = 30; end++; break;
	}
	if (*end == 'i' && end[1] == 'B')
		end += 2;
	if (*end || (shift && v > (UINT64_MAX >> shift)))
		return -EINVAL;
	*ret = (uint64_t)v << shift;
	return 0;
}

/* The charged_cgroup_id line of the dma-buf fdinfo of FD in process PID
 * (0: self): 1 and *RET_ID when present, 0 when absent, -errno. */
static inline int e2e_fdinfo_charged_id(pid_t pid, int fd, uint64_t *ret_id)
{
	char path[64], line[256];
	FILE *f;
	int r = 0;

	if (pid)
		snprintf(path, sizeof(path), "/proc/%d/fdinfo/%d", (int)pid, fd);
	else
		snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "charged_cgroup_id: %" SCNu64, ret_id) == 1) {
			r = 1;
			break;
		}
	fclose(f);
	return r;
}

static inline double e2e_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static inline void e2e_sleep_ms(unsigned ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

#endif
