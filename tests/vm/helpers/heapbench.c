/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * heapbench: times dma-heap alloc+close per operation, for bench/kernel-charge.
 *
 * Two ways of allocating, interleaved round by round so that drift in the
 * machine's speed hits both alike:
 *   self   no flag: charged to the caller (mainline's mem_accounting)
 *   pidfd  DMA_HEAP_FLAG_CHARGE_PIDFD with a pidfd of another process in
 *          another cgroup (a child that only waits), as an allocator
 *          service charges its client
 * With dma_heap.mem_accounting=0 neither is charged (the pidfd is still
 * looked up and checked): "self" in that boot is the "off" baseline.
 *
 *   heapbench [--cgroup DIR] [--client-cgroup DIR] [--rounds R] SIZE:N...
 *
 * Prints one line per size and mode:
 *   heapbench size=4096 mode=self ops=N median_ns=... p10_ns=... p90_ns=...
 */
#include <getopt.h>
#include <signal.h>
#include <sys/wait.h>

#include "e2e.h"

#define MAX_SIZES 8

struct series {
	uint64_t size;
	unsigned iters;
	uint64_t *t[2];	/* per mode: every operation's time in ticks() */
	unsigned n[2];
};

static uint64_t clock_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/*
 * The VM's clocksource may be jiffies (no reliable TSC under emulation):
 * clock_gettime() then ticks in milliseconds, far too coarse for one
 * operation. The TSC itself counts finely (qemu derives it from the host's
 * clock), so operations are timed in TSC ticks, converted with a rate
 * measured against CLOCK_MONOTONIC over a second.
 */
#if defined(__x86_64__) || defined(__i386__)
static uint64_t ticks(void)
{
	return __builtin_ia32_rdtsc();
}
#else
static uint64_t ticks(void)
{
	return clock_ns();
}
#endif

static double ticks_per_ns(void)
{
	uint64_t t0 = clock_ns(), c0 = ticks(), t1, c1;

	e2e_sleep_ms(1000);
	t1 = clock_ns();
	c1 = ticks();
	return (double)(c1 - c0) / (double)(t1 - t0);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "cgroup", required_argument, NULL, 'c' },
		{ "client-cgroup", required_argument, NULL, 'C' },
		{ "rounds", required_argument, NULL, 'r' },
		{}
	};
	static const char *mode_name[2] = { "self", "pidfd" };
	struct series s[MAX_SIZES];
	const char *cgroup = NULL, *client_cgroup = NULL;
	unsigned rounds = 5, nsizes = 0, r, i, k, m;
	double rate;
	int opt, heap, pidfd, pipefd[2];
	pid_t child;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'c': cgroup = optarg; break;
		case 'C': client_cgroup = optarg; break;
		case 'r': rounds = (unsigned)atoi(optarg); break;
		default: goto usage;
		}
	}
	for (; optind < argc; optind++) {
		char *colon = strchr(argv[optind], ':');

		if (!colon || nsizes == MAX_SIZES)
			goto usage;
		*colon = '\0';
		if (e2e_parse_size(argv[optind], &s[nsizes].size) < 0 || !(s[nsizes].iters = (unsigned)atoi(colon + 1)))
			goto usage;
		nsizes++;
	}
	if (!nsizes || !rounds)
		goto usage;

	/* The client to charge: a child in its own cgroup, waiting on a pipe. */
	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return perror("pipe"), 1;
	child = fork();
	if (child < 0)
		return perror("fork"), 1;
	if (child == 0) {
		char c;

		if (client_cgroup && e2e_join_cgroup(client_cgroup) < 0)
			_exit(1);
		close(pipefd[1]);
		(void)!read(pipefd[0], &c, 1);
		_exit(0);
	}
	close(pipefd[0]);
	pidfd = e2e_pidfd_open(child);
	if (pidfd < 0) {
		fprintf(stderr, "heapbench: pidfd_open: %s\n", strerror(-pidfd));
		return 1;
	}
	if (cgroup && (r = (unsigned)-e2e_join_cgroup(cgroup))) {
		fprintf(stderr, "heapbench: cannot move into %s: %s\n", cgroup, strerror((int)r));
		return 1;
	}
	heap = open(E2E_HEAP_DEFAULT, O_RDONLY | O_CLOEXEC);
	if (heap < 0)
		return perror(E2E_HEAP_DEFAULT), 1;
	for (i = 0; i < nsizes; i++)
		for (m = 0; m < 2; m++) {
			s[i].t[m] = calloc((size_t)s[i].iters * rounds, sizeof(uint64_t));
			s[i].n[m] = 0;
			if (!s[i].t[m])
				return perror("calloc"), 1;
		}
	/* Also gives the child the time to move into its cgroup. */
	rate = ticks_per_ns();

	for (r = 0; r < rounds; r++)
		for (i = 0; i < nsizes; i++)
			for (m = 0; m < 2; m++) {
				/* Alternate which mode goes first, round by round. */
				unsigned mode = (m + r) % 2;

				for (k = 0; k < s[i].iters; k++) {
					uint64_t t0 = ticks();
					int fd = e2e_heap_alloc(heap, s[i].size, mode ? pidfd : -1);

					if (fd < 0) {
						fprintf(stderr, "heapbench: %" PRIu64 " bytes (%s): %s\n", s[i].size,
							mode_name[mode], strerror(-fd));
						return 1;
					}
					close(fd);
					s[i].t[mode][s[i].n[mode]++] = ticks() - t0;
				}
			}
	for (i = 0; i < nsizes; i++)
		for (m = 0; m < 2; m++) {
			uint64_t *v = s[i].t[m];
			unsigned n = s[i].n[m];

			qsort(v, n, sizeof(*v), cmp_u64);
			printf("heapbench size=%" PRIu64 " mode=%s ops=%u median_ns=%.0f p10_ns=%.0f p90_ns=%.0f\n",
			       s[i].size, mode_name[m], n, (double)v[n / 2] / rate, (double)v[n / 10] / rate,
			       (double)v[n * 9 / 10] / rate);
		}
	close(pipefd[1]);
	waitpid(child, NULL, 0);
	return 0;
usage:
	fprintf(stderr, "Usage: heapbench [--cgroup DIR] [--client-cgroup DIR] [--rounds R] SIZE:N...\n");
	return 2;
}
