// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * dmabuf-share: an allocator and its clients, the way gralloc or a compositor
 * hands out dma-bufs, for the buffers scenario.
 *
 *   dmabuf-share serve SOCKET
 *	Listen on a unix socket. A client's request is one line:
 *	"new SIZE keep|drop": allocate SIZE bytes from /dev/dma_heap/system,
 *	charged to the client (DMA_HEAP_FLAG_CHARGE_PIDFD with a pidfd of the
 *	peer that SO_PEERCRED names), send the fd with SCM_RIGHTS; "keep" keeps a copy
 *	in the allocator, "drop" closes it once sent.
 *	"get INODE": send another fd of a buffer the allocator kept.
 *	Prints "serving PID" once listening; runs until killed.
 *
 *   dmabuf-share client SOCKET REQUEST MODE
 *	Send REQUEST ("new 4194304 keep", "get 1234"), receive the fd and hold
 *	the buffer as MODE says: "fd" (the fd), "fd2" (the fd and a dup of it),
 *	"map" (an mmap of it, the fd closed: held only through the mapping),
 *	"fdmap" (both). Prints "ready INODE SIZE PID" and waits until killed.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/dma-heap.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include "e2e.h"

static void die(const char *what)
{
	fprintf(stderr, "dmabuf-share: %s: %s\n", what, strerror(errno));
	exit(1);
}

static int send_fd(int sock, int fd)
{
	char byte = 0, cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);

	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	return sendmsg(sock, &msg, 0) == 1 ? 0 : -1;
}

static int recv_fd(int sock)
{
	char byte, cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *c;
	int fd;

	if (recvmsg(sock, &msg, 0) != 1)
		return -1;
	c = CMSG_FIRSTHDR(&msg);
	if (!c || c->cmsg_type != SCM_RIGHTS) {
		errno = EPROTO;
		return -1;
	}
	memcpy(&fd, CMSG_DATA(c), sizeof(int));
	return fd;
}

struct kept {
	ino_t ino;
	int fd;
};

static void __attribute__((noreturn)) serve(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct kept kept[64];
	int n_kept = 0, heap, ls;

	heap = open("/dev/dma_heap/system", O_RDONLY | O_CLOEXEC);
	if (heap < 0)
		die("/dev/dma_heap/system");
	ls = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (ls < 0 || bind(ls, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(ls, 8) < 0)
		die(path);
	printf("serving %d\n", (int)getpid());
	fflush(stdout);
	for (;;) {
		char req[128] = "", mode[16] = "";
		struct ucred cred;
		socklen_t len = sizeof(cred);
		unsigned long long arg;
		int c, fd = -1;
		ssize_t k;

		c = accept4(ls, NULL, NULL, SOCK_CLOEXEC);
		if (c < 0)
			die("accept");
		k = read(c, req, sizeof(req) - 1);
		if (k <= 0 || getsockopt(c, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0) {
			close(c);
			continue;
		}
		if (sscanf(req, "new %llu %15s", &arg, mode) == 2) {
			int pidfd = e2e_pidfd_open(cred.pid);
			struct stat st;

			if (pidfd < 0) {
				errno = -pidfd;
				die("pidfd_open");
			}
			fd = e2e_heap_alloc(heap, arg, pidfd);
			close(pidfd);
			if (fd < 0) {
				fprintf(stderr, "dmabuf-share: allocating %llu bytes for %d: %s\n",
					arg, (int)cred.pid, strerror(-fd));
				close(c);
				continue;
			}
			fstat(fd, &st);
			if (strcmp(mode, "keep") == 0 && n_kept < 64)
				kept[n_kept++] = (struct kept){ st.st_ino, fd };
		} else if (sscanf(req, "get %llu", &arg) == 1) {
			for (int i = 0; i < n_kept; i++)
				if (kept[i].ino == (ino_t)arg)
					fd = kept[i].fd;
		}
		if (fd < 0 || send_fd(c, fd) < 0)
			fprintf(stderr, "dmabuf-share: cannot answer \"%s\"\n", req);
		if (fd >= 0 && strcmp(mode, "drop") == 0)
			close(fd);
		close(c);
	}
}

static void __attribute__((noreturn)) client(const char *path, const char *req, const char *mode)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	int s, fd, fd2 = -1;
	void *map = NULL;
	off_t size;

	s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (s < 0 || connect(s, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		die(path);
	if (write(s, req, strlen(req)) < 0)
		die("write");
	fd = recv_fd(s);
	if (fd < 0)
		die("receiving the buffer");
	close(s);
	if (fstat(fd, &st) < 0)
		die("fstat");
	size = lseek(fd, 0, SEEK_END);
	if (size < 0)
		die("lseek");
	if (strcmp(mode, "fd2") == 0 && (fd2 = dup(fd)) < 0)
		die("dup");
	if (strcmp(mode, "map") == 0 || strcmp(mode, "fdmap") == 0) {
		map = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (map == MAP_FAILED)
			die("mmap");
		((volatile char *)map)[0] = 1;
	}
	if (strcmp(mode, "map") == 0)
		close(fd);
	printf("ready %llu %lld %d\n", (unsigned long long)st.st_ino, (long long)size, (int)getpid());
	fflush(stdout);
	for (;;)
		pause();
}

int main(int argc, char *argv[])
{
	if (argc == 3 && strcmp(argv[1], "serve") == 0)
		serve(argv[2]);
	if (argc == 5 && strcmp(argv[1], "client") == 0)
		client(argv[2], argv[3], argv[4]);
	fprintf(stderr, "usage: dmabuf-share serve SOCKET | client SOCKET REQUEST fd|fd2|map|fdmap\n");
	return 2;
}
