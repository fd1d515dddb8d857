/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * flagprobe [HEAP]: asks the dma-heap (default /dev/dma_heap/system) for a
 * page with DMA_HEAP_FLAG_CHARGE_PIDFD and a charge_pid_fd that is no fd,
 * the probe dmabufctl makes (dbc_kcaps_charge_pidfd): prints "accepted
 * ENAME" when the kernel knows the flag (it then fails the pidfd: EBADF) and
 * "rejected EINVAL" when it does not. Exit 0 either way, 1 on anything else.
 */
#include "e2e.h"

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : E2E_HEAP_DEFAULT;
	int heap = open(path, O_RDONLY | O_CLOEXEC), fd;

	if (heap < 0) {
		fprintf(stderr, "flagprobe: %s: %s\n", path, strerror(errno));
		return 1;
	}
	fd = e2e_heap_alloc(heap, 4096, INT32_MAX);
	if (fd >= 0) {
		printf("allocated: a charge_pid_fd that is no fd was taken\n");
		return 1;
	}
	printf("%s %s\n", fd == -EINVAL ? "rejected" : "accepted", e2e_errname(fd));
	return 0;
}
