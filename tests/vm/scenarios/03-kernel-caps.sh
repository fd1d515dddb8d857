#!/bin/sh
# vm: accounting=on,off
# What the kernel offers is detectable, and dmabufctl says it right. The
# series' two halves go together: memory.stat has a "dmabuf" key exactly
# when the system heap takes DMA_HEAP_FLAG_CHARGE_PIDFD (flagprobe: EBADF
# for a charge_pid_fd that is no fd; a kernel without the series rejects
# the flag with EINVAL instead of ignoring it). `dmabufctl status` then
# notes, on stderr, what this kernel lacks: nothing on the series with
# accounting on; accounting off; on a kernel without the series, that
# mainline's mem_accounting charges dma-heap pages as kernel memory (or is
# off) and that there is no dmabuf key. Runs on any kernel (it skips
# nothing).
. /usr/share/vm/lib.sh
need /dev/dma_heap/system
command -v dmabufctl >/dev/null || skip "dmabufctl is not on PATH (tests/vm/run --bin build/src/cli/dmabufctl)"

probe=$(flagprobe) || fail "flagprobe: $probe"
echo "DMA_HEAP_FLAG_CHARGE_PIDFD: $probe"
if cg_key $CGROOT/memory.stat dmabuf >/dev/null; then series=yes; else series=no; fi
echo "memory.stat dmabuf key: $series"
case "$series:$probe" in
yes:accepted\ EBADF | no:rejected\ EINVAL) ;;
*) fail "the dmabuf key ($series) and the flag ($probe) disagree" ;;
esac

mkdir -p $CGROOT/apps/a
dmabufctl status --all >status.out 2>status.err || fail "dmabufctl status failed: $(cat status.err)"
echo "dmabufctl status said on stderr:"
sed 's/^/  /' status.err
case "$series:$VM_ACCOUNTING" in
yes:on)
	[ ! -s status.err ] || fail "a kernel with the series and accounting on needs no note"
	;;
yes:off)
	grep -q 'dma-buf accounting is off' status.err || fail "no note that accounting is off"
	;;
no:on)
	grep -q 'charged to the allocating process as kernel memory' status.err &&
		grep -q 'no "dmabuf" key' status.err || fail "no note on mainline's mem_accounting without the dmabuf key"
	;;
no:off)
	grep -q 'no "dmabuf" key' status.err && grep -q 'mem_accounting is off' status.err ||
		fail "no note on the missing dmabuf key and accounting off"
	;;
esac
echo "pass"
