#!/bin/sh
# vm: accounting=on timeout=1200
# In-VM half of bench/daemon-vm: dmabufd on the real kernel's cgroupfs.
# 1,000 policed cgroups with the memory controller under /bench.slice, five
# of them holding dma-buf that allocd allocated for them (charge_pid_fd),
# one of those close to its dmabuf.max.
#  1. CPU per pass of dmabufd (interval 100ms, the default metrics-interval
#     of 15s, grace long enough never to act) over windows from one metrics
#     write to the one two metrics-intervals later (so each window holds two
#     passes that read every memory.stat for the metrics, as a steady
#     state does), against floor-daemon, which preads each
#     memory.stat once per pass through kept fds; and the share of cgroups
#     whose memory.stat dmabufd read per pass (its
#     dmabufd_memory_stat_reads_total counter: the kernel keeps no per-file
#     read count in this small kernel).
#  2. Reaction, three times: a client crossing dmabuf.max through the
#     allocator, with interval 200ms and grace 1s, is killed; the time from
#     the end of the crossing allocation to cgroup.events "populated 0",
#     minus the grace.
# Prints "bench-daemon KEY=VALUE ..." lines; bench/daemon-vm reports them.
. /usr/share/vm/lib.sh
need_dmabuf_stack
for p in dmabufd floor-daemon allocd client; do
	command -v $p >/dev/null || skip "$p is not in the VM (bench/daemon-vm passes it with --bin)"
done
N=${BENCH_CGROUPS:-1000}
MINT=15
ETC=/etc/dmabufd-bench
METRICS=/run/dmabufctl/metrics.prom
mkdir -p -m 755 $ETC /run/dmabufctl

mkdir -p $CGROOT/services/allocd $CGROOT/bench.slice
echo +memory >$CGROOT/services/cgroup.subtree_control
echo +memory >$CGROOT/bench.slice/cgroup.subtree_control
i=0
while [ $i -lt $N ]; do
	mkdir $CGROOT/bench.slice/app-$(printf %04d $i).scope || fail "mkdir cgroup $i"
	i=$((i + 1))
done
echo "bench-daemon cgroups=$N accounting=$VM_ACCOUNTING"

allocd --socket "$PWD/allocd.sock" --cgroup $CGROOT/services/allocd &
wait_for 10 test -S allocd.sock
# Five clients: 4, 8, 16, 32 and 56 MiB (dmabuf.max 64M; the last one's
# memory.current, its own pages included, comes close to it).
k=0
for mib in 4 8 16 32 56; do
	client serve --allocator "$PWD/allocd.sock" --control "$PWD/c$k.ctl" \
		--cgroup $CGROOT/bench.slice/app-$(printf %04d $k).scope &
	wait_for 10 test -S c$k.ctl
	client ctl "$PWD/c$k.ctl" alloc ${mib}M buf >/dev/null || fail "client $k: alloc ${mib}M"
	k=$((k + 1))
done
for k in 0 1 2 3 4; do
	echo "  app-000$k.scope: memory.current $(cat $CGROOT/bench.slice/app-000$k.scope/memory.current)," \
		"dmabuf $(cg_key $CGROOT/bench.slice/app-000$k.scope/memory.stat dmabuf) (kernel)"
done

conf() {        # conf INTERVAL GRACE: the bench's configuration
	printf '[daemon]\ninterval = %s\ngrace = %s\ncooldown = 1min\nmetrics-file = %s\nmetrics-interval = %ss\n\n[policy:bench]\ncgroup = /bench.slice/app-*.scope\ndmabuf.max = 64M\naction = kill\n' \
		"$1" "$2" $METRICS $MINT > $ETC/dmabufctl.conf
	chmod 644 $ETC/dmabufctl.conf
}
metric() { sed -n "s/^$1 //p" $METRICS; }
# CPU time of PID in ns: schedstat when the kernel has it, else utime +
# stime in clock ticks (USER_HZ, 100 a second).
cpu_ns() {
	if [ -r /proc/$1/schedstat ]; then
		cut -d' ' -f1 /proc/$1/schedstat
	else
		awk '{ printf "%.0f\n", ($14 + $15) * 10000000 }' /proc/$1/stat
	fi
}
next_metrics() {        # wait for the next metrics write
	_e0=$(metric dmabufd_evaluations_total)
	_i=0
	while [ "$(metric dmabufd_evaluations_total)" = "$_e0" ]; do
		_i=$((_i + 1))
		[ $_i -le $((MINT * 20)) ] || fail "no metrics written for $((MINT * 2)) s"
		sleep 0.1
	done
}

echo "== part 1: CPU per pass, $N policed cgroups, interval 100ms, windows of two metrics-intervals (${MINT}s)"
conf 100ms 60min
rm -f $METRICS
dmabufd --config $ETC/dmabufctl.conf 2>/tmp/dmabufd.log &
D=$!
wait_for 60 test -s $METRICS
next_metrics
for w in 1 2 3; do
	next_metrics
	e0=$(metric dmabufd_evaluations_total); r0=$(metric dmabufd_memory_stat_reads_total); c0=$(cpu_ns $D)
	next_metrics
	next_metrics
	e1=$(metric dmabufd_evaluations_total); r1=$(metric dmabufd_memory_stat_reads_total); c1=$(cpu_ns $D)
	[ -n "$r0" ] && [ -n "$r1" ] || fail "no dmabufd_memory_stat_reads_total in the metrics"
	awk -v e=$((e1 - e0)) -v c=$((c1 - c0)) -v r=$((r1 - r0)) -v n=$N 'BEGIN {
		printf "bench-daemon window=%d passes=%d daemon_us_per_pass=%.1f stat_share=%.4f\n", '$w', e, c / e / 1000, r / e / n }'
done
echo "bench-daemon rss_kib=$(sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\).*/\1/p' /proc/$D/status)"
kill -TERM $D; wait $D || fail "dmabufd exited with status $?"
for w in 1 2 3; do
	out=$(floor-daemon $CGROOT/bench.slice 200) || fail "floor-daemon: $out"
	echo "bench-daemon window=$w floor_us_per_pass=$(echo "$out" | sed -n 's/.*, \([0-9.]*\) us CPU per pass.*/\1/p') ($out)"
done
grep -v "policing /bench.slice" /tmp/dmabufd.log | head -20

echo "== part 2: reaction, interval 200ms, grace 1s, action kill"
conf 200ms 1s
rm -f $METRICS
dmabufd --config $ETC/dmabufctl.conf 2>/tmp/dmabufd.log &
D=$!
wait_for 60 test -s $METRICS
# Three crossings, each by a client of its own cgroup (a cgroup acted on
# rests for its cooldown). The crossing is charged by the time the
# allocation returns (t1); the kill shows as "populated 0" in
# cgroup.events. Watched by shell builtins only: read of /proc/uptime
# and cgroup.events, a 10 ms read timeout on a fifo nobody writes as the
# sleep, no command substitution (it forks). wait_for runs cut, awk, sleep
# and grep, tens of milliseconds each in the emulated VM, and sleeps
# 100 ms: its resolution was worse than the goal's 50 ms.
mkfifo never.fifo
exec 3<>never.fifo
for R in 0999 0998 0997; do
	R=$CGROOT/bench.slice/app-$R.scope
	client serve --allocator "$PWD/allocd.sock" --control "$PWD/r.ctl" --cgroup $R &
	wait_for 10 test -S r.ctl
	client ctl "$PWD/r.ctl" alloc 32M first >/dev/null || fail "reaction client: alloc 32M"
	sleep 2
	grep -q "populated 1" $R/cgroup.events || fail "$R was acted on under its limit"
	read -r t0 _ </proc/uptime
	client ctl "$PWD/r.ctl" alloc 40M crossing >/dev/null || fail "reaction client: alloc 40M"
	read -r t1 _ </proc/uptime
	_pop=1
	while :; do
		while read -r _k _v; do [ "$_k" = populated ] && _pop=$_v; done <$R/cgroup.events
		[ "$_pop" = 0 ] && break
		read -r -t 0.01 -u 3 _x || :
		read -r _t _ </proc/uptime
		[ "${_t%.*}" -lt $((${t1%.*} + 30)) ] || fail "$R still populated 30 s after crossing dmabuf.max"
	done
	read -r t2 _ </proc/uptime
	awk -v a="$t0" -v b="$t1" -v c="$t2" 'BEGIN { printf "bench-daemon reaction_ms=%.0f alloc_ms=%.0f (from the end of the crossing allocation to populated 0, minus grace 1000 ms, /proc/uptime to 10 ms; the allocation itself took alloc_ms; goal: interval 200 ms + 50 ms)\n", (c - b) * 1000 - 1000, (b - a) * 1000 }'
	rm -f r.ctl
done
exec 3>&-
kill -TERM $D; wait $D || fail "dmabufd exited with status $?"
grep -v "policing /bench.slice" /tmp/dmabufd.log | head -20
for k in 0 1 2 3 4; do client ctl "$PWD/c$k.ctl" exit >/dev/null 2>&1; done
exit 0
