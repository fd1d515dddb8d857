#!/bin/sh
# vm: accounting=on,off timeout=300
# The gralloc story: allocd (in /services/allocd) allocates for a client in
# /apps/a (memory.max 64M) with DMA_HEAP_FLAG_CHARGE_PIDFD and the client's
# pidfd as charge_pid_fd. With accounting on, the
# client's dmabuf rises by exactly what it was given and allocd's stays 0;
# over the limit the client gets ENOMEM and nothing leaks; closing every fd,
# and the client dying with fds open, returns the stat to 0 exactly. With
# accounting off nothing is charged and every allocation works. An allocator
# that does not pass the flag is charged itself (mainline's mem_accounting:
# the problem the series solves). dmabufctl status --json agrees with memory.stat at every step
# (statcheck).
. /usr/share/vm/lib.sh
need_dmabuf_stack


mkdir -p $CGROOT/services/allocd $CGROOT/apps/a
echo +memory >$CGROOT/services/cgroup.subtree_control
echo +memory >$CGROOT/apps/cgroup.subtree_control
echo 64M >$CGROOT/apps/a/memory.max

allocd --socket "$PWD/allocd.sock" --cgroup $CGROOT/services/allocd &
wait_for 10 test -S allocd.sock
client serve --allocator "$PWD/allocd.sock" --control "$PWD/a.ctl" --cgroup $CGROOT/apps/a &
wait_for 10 test -S a.ctl

echo "== a 4 MiB buffer, then 16 MiB, mapped"
out=$(ctl "$PWD/a.ctl" alloc 4M tex0) || fail "alloc 4M: $out"
echo "$out"
expect_charged_id "$out" /apps/a
expect_dmabuf /apps/a "$(charged $((4 * M)))"
expect_dmabuf /services/allocd 0
ctl "$PWD/a.ctl" alloc 16M tex1 || fail "alloc 16M"
ctl "$PWD/a.ctl" map all || fail "map"
expect_dmabuf /apps/a "$(charged $((20 * M)))"
expect_dmabuf /services/allocd 0
statcheck || fail "dmabufctl and the kernel disagree"

echo "== over memory.max: 20 MiB held, 20 times 60 MiB asked"
avail_before=$(awk '/^MemAvailable:/ { print $2 }' /proc/meminfo)
i=0
while [ $i -lt 20 ]; do
	out=$(client ctl "$PWD/a.ctl" alloc 60M huge)
	rc=$?
	if [ "$VM_ACCOUNTING" = on ]; then
		case "$out" in
		"error ENOMEM:"*) ;;
		*) fail "60 MiB over a 64M budget holding 20 MiB: expected ENOMEM, got: $out" ;;
		esac
	else
		[ $rc -eq 0 ] || fail "accounting off: 60 MiB should be allocated, got: $out"
		client ctl "$PWD/a.ctl" close "$(echo "$out" | field id)" >/dev/null || fail "close"
	fi
	i=$((i + 1))
done
echo "  last answer: $out"
avail_after=$(awk '/^MemAvailable:/ { print $2 }' /proc/meminfo)
echo "  MemAvailable: ${avail_before} kB before, ${avail_after} kB after"
[ $((avail_before - avail_after)) -lt 32768 ] || fail "20 refused allocations lost $((avail_before - avail_after)) kB"
oom=$(cg_key $CGROOT/apps/a/memory.events oom_kill)
[ "$oom" = 0 ] || fail "memory.events oom_kill is $oom: a refused charge must not OOM-kill"
expect_dmabuf /apps/a "$(charged $((20 * M)))"
expect_dmabuf /services/allocd 0
ctl "$PWD/a.ctl" list || fail "list"
statcheck || fail "dmabufctl and the kernel disagree"

echo "== every fd closed"
ctl "$PWD/a.ctl" close all || fail "close all"
expect_dmabuf /apps/a 0
expect_dmabuf /services/allocd 0
statcheck || fail "dmabufctl and the kernel disagree"

echo "== the client exits with 24 MiB open and mapped"
ctl "$PWD/a.ctl" alloc 8M a || fail "alloc"
ctl "$PWD/a.ctl" alloc 16M b || fail "alloc"
ctl "$PWD/a.ctl" map all || fail "map"
expect_dmabuf /apps/a "$(charged $((24 * M)))"
ctl "$PWD/a.ctl" exit || fail "exit"
wait_for 10 sh -c "! test -S '$PWD/a.ctl'"
expect_dmabuf /apps/a 0

echo "== a new client is killed (SIGKILL) with 12 MiB open"
client serve --allocator "$PWD/allocd.sock" --control "$PWD/b.ctl" --cgroup $CGROOT/apps/a &
pid=$!
wait_for 10 test -S b.ctl
ctl "$PWD/b.ctl" alloc 4M x || fail "alloc"
ctl "$PWD/b.ctl" alloc 8M y || fail "alloc"
expect_dmabuf /apps/a "$(charged $((12 * M)))"
statcheck || fail "dmabufctl and the kernel disagree"
kill -9 $pid
wait $pid
expect_dmabuf /apps/a 0
expect_dmabuf /services/allocd 0
statcheck || fail "dmabufctl and the kernel disagree"

echo "== an allocator that does not name its client (no flag) pays itself"
mkdir -p $CGROOT/services/legacy
allocd --socket "$PWD/legacy.sock" --cgroup $CGROOT/services/legacy --charge-self &
wait_for 10 test -S legacy.sock
client serve --allocator "$PWD/legacy.sock" --control "$PWD/c.ctl" --cgroup $CGROOT/apps/a &
wait_for 10 test -S c.ctl
ctl "$PWD/c.ctl" alloc 4M unnamed || fail "alloc"
expect_dmabuf /services/legacy "$(charged $((4 * M)))"
expect_dmabuf /apps/a 0
statcheck || fail "dmabufctl and the kernel disagree"
ctl "$PWD/c.ctl" close all || fail "close"
expect_dmabuf /services/legacy 0
echo "pass"
