// SPDX-License-Identifier: LGPL-2.1-or-later
/* dmabuf-hold MIB: allocate MIB mebibytes from /dev/dma_heap/system (charged
 * to this process's memory cgroup when dma_heap.mem_accounting is on), print
 * "held MIB MiB" and hold the buffer until killed. Exit 1 when the
 * allocation fails (over the cgroup's memory.max: ENOMEM). */
#include <errno.h>
#include <fcntl.h>
#include <linux/dma-heap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

int main(int argc, char *argv[])
{
	struct dma_heap_allocation_data data;
	long mib;
	int heap;

	if (argc != 2 || (mib = strtol(argv[1], NULL, 10)) <= 0) {
		fprintf(stderr, "usage: dmabuf-hold MIB\n");
		return 2;
	}
	heap = open("/dev/dma_heap/system", O_RDONLY | O_CLOEXEC);
	if (heap < 0) {
		fprintf(stderr, "dmabuf-hold: /dev/dma_heap/system: %s\n", strerror(errno));
		return 1;
	}
	memset(&data, 0, sizeof(data));
	data.len = (unsigned long long)mib << 20;
	data.fd_flags = O_RDWR | O_CLOEXEC;
	if (ioctl(heap, DMA_HEAP_IOCTL_ALLOC, &data) < 0) {
		fprintf(stderr, "dmabuf-hold: allocating %ld MiB: %s\n", mib, strerror(errno));
		return 1;
	}
	printf("held %ld MiB\n", mib);
	fflush(stdout);
	for (;;)
		pause();
}
