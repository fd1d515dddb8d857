#!/bin/sh
# vm: accounting=on,off timeout=300
# Only heaps that opt in are charged: the CMA heap's memory comes from a
# reserved area (cma=64M on the VM's command line) that reclaiming a
# client's page cache cannot make room in, so it is never charged. allocd
# serves a client in /apps/a from the CMA heap, with the client's pidfd and
# the flag: the buffer works (mapped, every page written), yet /apps/a's
# dmabuf stays 0, its memory.current does not grow by the buffer, and
# fdinfo has no charged_cgroup_id. The same client from the system heap is
# charged (accounting on): the charge path works in this boot.
. /usr/share/vm/lib.sh
need_dmabuf_stack
heap=
for h in /dev/dma_heap/default_cma_region /dev/dma_heap/reserved; do
	if [ -e $h ]; then heap=$h; break; fi
done
[ -n "$heap" ] || skip "no CMA heap in /dev/dma_heap ($(ls /dev/dma_heap | tr '\n' ' ')): CONFIG_DMABUF_HEAPS_CMA and cma= needed"
echo "CMA heap: $heap"


mkdir -p $CGROOT/services/allocd $CGROOT/apps/a
echo +memory >$CGROOT/services/cgroup.subtree_control
echo +memory >$CGROOT/apps/cgroup.subtree_control
echo 64M >$CGROOT/apps/a/memory.max
allocd --socket "$PWD/cma.sock" --heap $heap --cgroup $CGROOT/services/allocd &
wait_for 10 test -S cma.sock
allocd --socket "$PWD/system.sock" --cgroup $CGROOT/services/allocd &
wait_for 10 test -S system.sock
client serve --allocator "$PWD/cma.sock" --control "$PWD/cma.ctl" --cgroup $CGROOT/apps/a &
wait_for 10 test -S cma.ctl
client serve --allocator "$PWD/system.sock" --control "$PWD/sys.ctl" --cgroup $CGROOT/apps/a &
wait_for 10 test -S sys.ctl

echo "== 8 MiB from the CMA heap, mapped and written"
current_before=$(cat $CGROOT/apps/a/memory.current)
out=$(ctl "$PWD/cma.ctl" alloc 8M cma0) || fail "CMA heap allocation: $out"
echo "$out"
ctl "$PWD/cma.ctl" map all || fail "map"
[ "$(echo "$out" | field charged_cgroup_id)" = none ] || fail "a CMA buffer has a charged_cgroup_id"
expect_dmabuf /apps/a 0
expect_dmabuf /services/allocd 0
current=$(cat $CGROOT/apps/a/memory.current)
echo "  /apps/a memory.current: $current_before before, $current after"
[ $((current - current_before)) -lt $((4 * M)) ] || fail "/apps/a grew by $((current - current_before)) bytes for a CMA buffer"
statcheck || fail "dmabufctl and the kernel disagree"

echo "== 8 MiB from the system heap: charged"
ctl "$PWD/sys.ctl" alloc 8M sys0 || fail "system heap allocation"
expect_dmabuf /apps/a "$(charged $((8 * M)))"
ctl "$PWD/sys.ctl" close all || fail "close"
ctl "$PWD/cma.ctl" close all || fail "close"
expect_dmabuf /apps/a 0
echo "pass"
