// SPDX-License-Identifier: LGPL-2.1-or-later
/* memhog MIB: allocate MIB mebibytes of anonymous memory and touch every
 * page, then print "held MIB MiB" and exit 0. Over its cgroup's memory.max
 * (no swap in the VM) the kernel OOM-kills it while it touches. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

int main(int argc, char *argv[])
{
	long mib, page = sysconf(_SC_PAGESIZE);
	char *p;

	if (argc != 2 || (mib = strtol(argv[1], NULL, 10)) <= 0) {
		fprintf(stderr, "usage: memhog MIB\n");
		return 2;
	}
	p = mmap(NULL, (size_t)mib << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		perror("memhog: mmap");
		return 1;
	}
	for (long off = 0; off < mib << 20; off += page)
		p[off] = 1;
	printf("held %ld MiB\n", mib);
	return 0;
}
