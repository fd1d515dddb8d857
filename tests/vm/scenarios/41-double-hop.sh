#!/bin/sh
# vm: accounting=on,off timeout=300
# The double hop app -> compositor -> gralloc: the app in /apps/a asks compd
# (/services/compd), which asks allocd (/services/allocd) on its own behalf
# and moves the charge to the app with DMA_BUF_IOCTL_TRANSFER_CHARGE. The
# charge ends at the app and nothing stays at the compositor or allocator.
# Over the app's memory.max the move fails with ENOMEM, which reaches the
# app, and the compositor's temporary charge is gone once it closed its copy.
# With accounting off the buffers are not charged (the move says EOPNOTSUPP,
# compd passes them on all the same) and nothing is charged anywhere.
. /usr/share/vm/lib.sh
need_dmabuf_stack

field() { tr " " "\n" | sed -n "s/^$1=//p" | head -n1; }

mkdir -p $CGROOT/services/allocd $CGROOT/services/compd $CGROOT/apps/a
echo +memory >$CGROOT/services/cgroup.subtree_control
echo +memory >$CGROOT/apps/cgroup.subtree_control
echo 64M >$CGROOT/apps/a/memory.max
app_id=$(stat -c %i $CGROOT/apps/a)

allocd --socket "$PWD/allocd.sock" --cgroup $CGROOT/services/allocd -v &
wait_for 10 test -S allocd.sock
compd --socket "$PWD/compd.sock" --allocator "$PWD/allocd.sock" --cgroup $CGROOT/services/compd -v &
wait_for 10 test -S compd.sock
client serve --allocator "$PWD/compd.sock" --control "$PWD/a.ctl" --cgroup $CGROOT/apps/a &
wait_for 10 test -S a.ctl

echo "== the app asks the compositor for 8 MiB and 16 MiB"
out=$(ctl "$PWD/a.ctl" alloc 8M window) || fail "alloc through compd: $out"
echo "$out"
id=$(echo "$out" | field charged_cgroup_id)
if [ "$VM_ACCOUNTING" = on ]; then
	[ "$id" = "$app_id" ] || fail "fdinfo says charged_cgroup_id=$id, /apps/a is $app_id"
else
	[ "$id" = none ] || fail "accounting off, yet fdinfo says charged_cgroup_id=$id"
fi
ctl "$PWD/a.ctl" alloc 16M cursor || fail "alloc through compd"
ctl "$PWD/a.ctl" map all || fail "map"
expect_dmabuf /apps/a "$(charged $((24 * M)))"
expect_dmabuf /services/compd 0
expect_dmabuf /services/allocd 0
statcheck || fail "dmabufctl and the kernel disagree"

echo "== 48 MiB more would pass the app's 64M: the move fails"
out=$(client ctl "$PWD/a.ctl" alloc 48M big)
echo "$out"
if [ "$VM_ACCOUNTING" = on ]; then
	case "$out" in
	"error ENOMEM:"*) ;;
	*) fail "expected ENOMEM from the transfer to the app, got: $out" ;;
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
[ "$oom" = 0 ] || fail "memory.events oom_kill is $oom after a refused transfer"
statcheck || fail "dmabufctl and the kernel disagree"

echo "== the app closes everything"
ctl "$PWD/a.ctl" close all || fail "close all"
expect_dmabuf /apps/a 0
expect_dmabuf /services/compd 0
expect_dmabuf /services/allocd 0
statcheck || fail "dmabufctl and the kernel disagree"
echo "pass"
