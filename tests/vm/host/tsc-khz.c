// SPDX-License-Identifier: GPL-2.0
/*
 * tsc-khz: prints the host's TSC rate in kHz, measured against
 * CLOCK_MONOTONIC_RAW. Under qemu's software emulation the guest reads the
 * host's TSC, so the VMs boot with tsc_early_khz=<this> (tests/vm/kernel-args.sh).
 *
 * Three windows of 200 ms; the median is printed. Each end of a window is
 * bracketed by two TSC reads and kept only when they are close, so that a
 * preemption between the clock read and the TSC read does not skew it.
 * Exit status 1 when no window could be measured.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <x86intrin.h>

static int stamp(uint64_t *tsc, uint64_t *ns)
{
	for (int i = 0; i < 100; i++) {
		struct timespec ts;
		uint64_t a = __rdtsc();

		clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
		uint64_t b = __rdtsc();

		if (b - a < 100000) {
			*tsc = a + (b - a) / 2;
			*ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
			return 0;
		}
	}
	return -1;
}

static int cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

int main(void)
{
	uint64_t khz[3];
	const struct timespec window = { 0, 200000000 };

	for (int i = 0; i < 3; i++) {
		uint64_t t0, n0, t1, n1;

		if (stamp(&t0, &n0) || nanosleep(&window, NULL) || stamp(&t1, &n1) || n1 <= n0) {
			fputs("tsc-khz: could not time the TSC\n", stderr);
			return 1;
		}
		khz[i] = (uint64_t)((long double)(t1 - t0) * 1000000.0L / (n1 - n0) + 0.5L);
	}
	qsort(khz, 3, sizeof(khz[0]), cmp);
	printf("%llu\n", (unsigned long long)khz[1]);
	return 0;
}
