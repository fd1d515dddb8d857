#!/bin/sh
# vm: accounting=on,off timeout=900
# The kernel's memory controller selftest
# (tools/testing/selftests/cgroup/test_memcontrol), with the series' dmabuf
# case once it is applied.
#
# Its page-cache cases need reclaimable file pages: the test files live on
# an ext2 on a RAM disk (brd, whose pages are not charged to any cgroup),
# not on tmpfs, whose pages cannot be reclaimed without swap.
#
# test_memcg_min, test_memcg_low and test_memcg_reclaim compare reclaim
# outcomes against tolerances that a busy emulated machine sometimes misses
# (min and reclaim each failed once on a heavily loaded host, and passed on
# the same kernel in the runs before and after): a failed one is run again,
# and counts as passed only if the rerun passes.
. /usr/share/vm/lib.sh

if [ -b /dev/ram0 ]; then
	mke2fs -q /dev/ram0 >/dev/null || fail "mke2fs /dev/ram0"
	mkdir -p /mnt/pagecache
	mount -t ext2 /dev/ram0 /mnt/pagecache || fail "mount /dev/ram0"
	trap 'cd /; umount /mnt/pagecache' EXIT
	cd /mnt/pagecache || fail "cd /mnt/pagecache"
else
	echo "no /dev/ram0: page-cache cases run on tmpfs"
fi
if debug_kernel; then
	# Under KASAN and lockdep the whole selftest (its OOM and reclaim
	# cases) runs for tens of minutes and exercises mainline's code, which
	# the normal kernel's run covers: here the basic cases and every case
	# of the series.
	echo "debug kernel: the basic cases and the series' dmabuf cases only"
	kselftest test_memcontrol test_memcg_subtree_control test_memcg_current_peak \
		test_memcg_high test_memcg_max test_memcg_dmabuf_self test_memcg_dmabuf_pidfd \
		test_memcg_dmabuf_perm test_memcg_dmabuf_max test_memcg_dmabuf_pages_only \
		test_memcg_dmabuf_reparent \
		test_memcg_dmabuf_other_heap test_memcg_dmabuf_off test_memcg_dmabuf_high
else
	kselftest test_memcontrol --flaky test_memcg_min test_memcg_low test_memcg_reclaim
fi
