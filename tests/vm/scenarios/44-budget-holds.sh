#!/bin/sh
# vm: accounting=on,off timeout=300
# memory.max bounds the allocation itself: the pages are charged to the
# client as the heap takes them, never after. A client in /apps/a at
# memory.max 64M asks allocd (/services/allocd) for 1 GiB:
# - accounting on: ENOMEM; while it is asked, MemFree (sampled all along)
#   drops by no more than the limit plus a little (one charge batch and the
#   sampler's own noise), allocd's memory.peak stays far below one buffer,
#   the client's memory.events `max` rises at most once (no reclaim storm),
#   and nobody is OOM-killed (memory.events, /proc/vmstat, dmesg). Then a
#   request that could fit the limit but not beside what the client holds
#   (40M held, 40M asked): ENOMEM after reclaim, MemFree bounded the same
#   way, no OOM kill; the client still holds its 40M.
# - accounting off: dma-buf is not charged, so the budget does not hold: a
#   96 MiB buffer is served at the 64M limit (a smaller ask than 1 GiB, which
#   could take the whole VM) and no cgroup shows it.
. /usr/share/vm/lib.sh
need_dmabuf_stack

memfree() { awk '/^MemFree:/ { print $2 * 1024 }' /proc/meminfo; }
oom_kills() { awk '$1 == "oom_kill" { print $2 }' /proc/vmstat; }

# asked_with_samples CTL SIZE NAME: asks, sampling MemFree meanwhile; sets
# out (the answer) and drop (bytes: MemFree before minus its lowest sample).
asked_with_samples() {
	before=$(memfree)
	(while :; do memfree; done) >memfree.samples &
	sampler=$!
	sleep 0.2
	out=$(client ctl "$1" alloc "$2" "$3")
	sleep 0.2
	kill $sampler
	wait $sampler 2>/dev/null
	lowest=$(sort -n memfree.samples | head -n1)
	echo "  $(wc -l <memfree.samples) MemFree samples; before $before, lowest $lowest"
	drop=$((before - lowest))
}

mkdir -p $CGROOT/services/allocd $CGROOT/apps/a
echo +memory >$CGROOT/services/cgroup.subtree_control
echo +memory >$CGROOT/apps/cgroup.subtree_control
echo 64M >$CGROOT/apps/a/memory.max
allocd --socket "$PWD/allocd.sock" --cgroup $CGROOT/services/allocd &
wait_for 10 test -S allocd.sock
client serve --allocator "$PWD/allocd.sock" --control "$PWD/a.ctl" --cgroup $CGROOT/apps/a &
wait_for 10 test -S a.ctl
oom_before=$(oom_kills)

if [ "$VM_ACCOUNTING" = off ]; then
	echo "== accounting off: 96 MiB at a 64M limit is served, charged nowhere"
	ctl "$PWD/a.ctl" alloc 96M over || fail "accounting off: 96 MiB should be served"
	expect_dmabuf /apps/a 0
	expect_dmabuf /services/allocd 0
	statcheck || fail "dmabufctl and the kernel disagree"
	echo "pass"
	exit 0
fi

max_before=$(cg_key $CGROOT/apps/a/memory.events max)
echo "== 1 GiB at a 64M limit"
asked_with_samples "$PWD/a.ctl" 1G huge
echo "  answer: $out"
case "$out" in
"error ENOMEM:"*) ;;
*) fail "1 GiB at memory.max 64M: expected ENOMEM, got: $out" ;;
esac
max_after=$(cg_key $CGROOT/apps/a/memory.events max)
peak=$(cat $CGROOT/services/allocd/memory.peak)
echo "  MemFree dropped by at most $drop bytes; memory.events max $max_before -> $max_after;" \
	"allocd's memory.peak $peak"
[ $drop -le $((64 * M + 8 * M)) ] || fail "MemFree dropped by $drop bytes: the allocation took more than the 64M limit"
[ $((max_after - max_before)) -le 1 ] || fail "memory.events max rose by $((max_after - max_before)): reclaim storm"
[ "$peak" -lt $((8 * M)) ] || fail "allocd's cgroup peaked at $peak bytes: it was charged for the client"
expect_dmabuf /apps/a 0
expect_dmabuf /services/allocd 0

echo "== 40 MiB held, 40 MiB more asked: fits the limit alone, not beside them"
ctl "$PWD/a.ctl" alloc 40M held || fail "40 MiB within the 64M limit was refused"
ctl "$PWD/a.ctl" map all || fail "map"
expect_dmabuf /apps/a $((40 * M))
max_before=$(cg_key $CGROOT/apps/a/memory.events max)
asked_with_samples "$PWD/a.ctl" 40M more
echo "  answer: $out"
case "$out" in
"error ENOMEM:"*) ;;
*) fail "40 MiB beside 40 MiB at memory.max 64M: expected ENOMEM, got: $out" ;;
esac
max_after=$(cg_key $CGROOT/apps/a/memory.events max)
echo "  MemFree dropped by at most $drop bytes; memory.events max $max_before -> $max_after"
[ $drop -le $((24 * M + 8 * M)) ] || fail "MemFree dropped by $drop bytes: more than the 24 MiB left under the limit"
expect_dmabuf /apps/a $((40 * M))
expect_dmabuf /services/allocd 0
ctl "$PWD/a.ctl" list || fail "list"

echo "== nobody was OOM-killed"
oom=$(cg_key $CGROOT/apps/a/memory.events oom_kill)
[ "$oom" = 0 ] || fail "/apps/a memory.events oom_kill is $oom"
[ "$(oom_kills)" = "$oom_before" ] || fail "/proc/vmstat oom_kill went from $oom_before to $(oom_kills)"
if dmesg | grep -E 'invoked oom-killer|Out of memory|Memory cgroup out of memory'; then
	fail "the kernel log shows the OOM killer"
fi
statcheck || fail "dmabufctl and the kernel disagree"
ctl "$PWD/a.ctl" close all || fail "close"
expect_dmabuf /apps/a 0
echo "pass"
