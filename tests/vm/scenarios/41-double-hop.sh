#!/bin/sh
# vm: accounting=on,off timeout=300
# The double hop app -> compositor -> gralloc, by pidfd forwarding: the app
# in /apps/a asks compd (/services/compd), which forwards the app's pidfd
# (SCM_RIGHTS) with its request to allocd (/services/allocd); allocd
# allocates with DMA_HEAP_FLAG_CHARGE_PIDFD and that pidfd. The app is
# charged as the pages are allocated, the compositor and the allocator show
# 0 at every step (no transfer, no temporary charge anywhere). Over the
# app's memory.max the allocation itself fails with ENOMEM, which reaches the
# app. A compositor that does not forward (--no-forward) is charged for the
# app's buffers: what happens without the series. With accounting off
# nothing is charged anywhere and every allocation works.
. /usr/share/vm/lib.sh
need_dmabuf_stack


mkdir -p $CGROOT/services/allocd $CGROOT/services/compd $CGROOT/apps/a
echo +memory >$CGROOT/services/cgroup.subtree_control
echo +memory >$CGROOT/apps/cgroup.subtree_control
echo 64M >$CGROOT/apps/a/memory.max

allocd --socket "$PWD/allocd.sock" --cgroup $CGROOT/services/allocd -v &
wait_for 10 test -S allocd.sock
compd --socket "$PWD/compd.sock" --allocator "$PWD/allocd.sock" --cgroup $CGROOT/services/compd -v &
wait_for 10 test -S compd.sock
client serve --allocator "$PWD/compd.sock" --control "$PWD/a.ctl" --cgroup $CGROOT/apps/a &
wait_for 10 test -S a.ctl

echo "== the app asks the compositor for 8 MiB and 16 MiB"
out=$(ctl "$PWD/a.ctl" alloc 8M window) || fail "alloc through compd: $out"
echo "$out"
expect_charged_id "$out" /apps/a
ctl "$PWD/a.ctl" alloc 16M cursor || fail "alloc through compd"
ctl "$PWD/a.ctl" map all || fail "map"
expect_dmabuf /apps/a "$(charged $((24 * M)))"
expect_dmabuf /services/compd 0
expect_dmabuf /services/allocd 0
statcheck || fail "dmabufctl and the kernel disagree"
# Never charged, not even for a moment: the peaks stay below one buffer.
for svc in compd allocd; do
	peak=$(cat $CGROOT/services/$svc/memory.peak)
	echo "  /services/$svc: memory.peak $peak"
	[ "$peak" -lt $((8 * M)) ] || fail "/services/$svc peaked at $peak bytes: it was charged for the app's buffer"
done

echo "== 48 MiB more would pass the app's 64M: the allocation fails"
out=$(client ctl "$PWD/a.ctl" alloc 48M big)
echo "$out"
if [ "$VM_ACCOUNTING" = on ]; then
	case "$out" in
	"error ENOMEM:"*) ;;
	*) fail "expected ENOMEM for the app over its memory.max, got: $out" ;;
	esac
	expect_dmabuf /apps/a $((24 * M))
else
	case "$out" in
	ok*) ctl "$PWD/a.ctl" close "$(echo "$out" | field id)" || fail "close" ;;
	*) fail "accounting off: 48 MiB should pass, got: $out" ;;
	esac
fi
expect_dmabuf /services/compd 0
expect_dmabuf /services/allocd 0
oom=$(cg_key $CGROOT/apps/a/memory.events oom_kill)
[ "$oom" = 0 ] || fail "memory.events oom_kill is $oom after a refused allocation"
statcheck || fail "dmabufctl and the kernel disagree"

echo "== the app closes everything"
ctl "$PWD/a.ctl" close all || fail "close all"
expect_dmabuf /apps/a 0
expect_dmabuf /services/compd 0
expect_dmabuf /services/allocd 0
statcheck || fail "dmabufctl and the kernel disagree"

echo "== a compositor that does not forward the app's pidfd is charged itself"
mkdir -p $CGROOT/services/oldcomp
compd --socket "$PWD/oldcomp.sock" --allocator "$PWD/allocd.sock" --cgroup $CGROOT/services/oldcomp --no-forward &
wait_for 10 test -S oldcomp.sock
client serve --allocator "$PWD/oldcomp.sock" --control "$PWD/b.ctl" --cgroup $CGROOT/apps/a &
wait_for 10 test -S b.ctl
ctl "$PWD/b.ctl" alloc 8M unforwarded || fail "alloc through compd --no-forward"
expect_dmabuf /services/oldcomp "$(charged $((8 * M)))"
expect_dmabuf /apps/a 0
ctl "$PWD/b.ctl" close all || fail "close all"
expect_dmabuf /services/oldcomp 0
echo "pass"
