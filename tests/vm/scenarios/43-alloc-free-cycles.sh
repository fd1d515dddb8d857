#!/bin/sh
# vm: accounting=on,off timeout=900
# 10,000 alloc/free cycles across three clients at once (4 KiB, 64 KiB and
# 1 MiB buffers, each client also holding one 1 MiB buffer throughout), all
# through one allocd: every cgroup's dmabuf ends exactly where it started.
# On the debug kernel (KASAN, kmemleak) 1,000 cycles, the same mix, and a
# kmemleak scan after them reports nothing: a leak per cycle or per
# buffer would show as hundreds of objects, and 10,000 cycles there take
# over 10 minutes.
. /usr/share/vm/lib.sh
need_dmabuf_stack

kmemleak=/sys/kernel/debug/kmemleak
cycles=10000
if debug_kernel; then
	cycles=1000
	# Forget what boot and earlier scenarios left: only this one's count.
	echo clear >$kmemleak || fail "kmemleak: cannot clear $kmemleak (disabled? see dmesg)"
fi

mkdir -p $CGROOT/services/allocd $CGROOT/apps/a $CGROOT/apps/b $CGROOT/apps/c
echo +memory >$CGROOT/services/cgroup.subtree_control
echo +memory >$CGROOT/apps/cgroup.subtree_control
allocd --socket "$PWD/allocd.sock" --cgroup $CGROOT/services/allocd &
wait_for 10 test -S allocd.sock
for c in a b c; do
	echo 64M >$CGROOT/apps/$c/memory.max
	client serve --allocator "$PWD/allocd.sock" --control "$PWD/$c.ctl" --cgroup $CGROOT/apps/$c &
	wait_for 10 test -S $c.ctl
	client ctl "$PWD/$c.ctl" alloc 1M held || fail "alloc"
done

cgroups="/ /apps /apps/a /apps/b /apps/c /services /services/allocd"
for c in a b c; do expect_dmabuf /apps/$c "$(charged $M)"; done
expect_dmabuf / "$(charged $((3 * M)))"
for cg in $cgroups; do
	eval "start_$(echo "$cg" | tr -c 'a-z\n' _)=$(dmabuf "$cg")"
done

third=$((cycles / 3))
first=$((cycles - 2 * third))
echo "== $cycles cycles: a $first x 4 KiB, b $third x 64 KiB, c $third x 1 MiB, in parallel"
client ctl "$PWD/a.ctl" cycles $first 4K >a.out 2>&1 &
pa=$!
client ctl "$PWD/b.ctl" cycles $third 64K >b.out 2>&1 &
pb=$!
client ctl "$PWD/c.ctl" cycles $third 1M >c.out 2>&1 &
pc=$!
bad=0
wait $pa || bad=1
wait $pb || bad=1
wait $pc || bad=1
cat a.out b.out c.out
[ $bad -eq 0 ] || fail "a client's cycles failed"

for cg in $cgroups; do
	want=
	eval "want=\$start_$(echo "$cg" | tr -c 'a-z\n' _)"
	expect_dmabuf "$cg" "$want"
done
statcheck || fail "dmabufctl and the kernel disagree"

for c in a b c; do client ctl "$PWD/$c.ctl" close all >/dev/null || fail "close"; done
for cg in $cgroups; do expect_dmabuf "$cg" 0; done

if debug_kernel; then
	echo "== kmemleak scan after the cycles"
	# An object is reported once it has been unreferenced for a while and
	# two scans agree; the harness fails the scenario on any report.
	sleep 6
	echo scan >$kmemleak || fail "kmemleak: cannot scan"
	echo scan >$kmemleak || fail "kmemleak: cannot scan"
	leaks=$(cat $kmemleak)
	if [ -n "$leaks" ]; then
		echo "$leaks" | head -n 60
		fail "kmemleak reports unreferenced objects"
	fi
	echo "  kmemleak: nothing reported"
fi
echo "pass"
