#!/bin/sh
# vm: accounting=on timeout=600
# dmabufd on the real kernel, with real dma-heap charges (tests/vm/helpers/
# dmabuf-hold.c). Every figure is read back from the kernel (cgroup.events,
# memory.stat, memory.events), not from dmabufd's own output. Three parts:
#  1. a slice policy over its dmabuf.max kills only the busiest child;
#  2. clients going over after start: frozen, killed (a cgroup created after
#     start), alerted, and a protected one only alerted; a broken
#     configuration on SIGHUP keeps the old policies;
#  3. memory.events max and oom_kill reported as they happen.
. /usr/share/vm/lib.sh


M=1048576
ETC=/etc/dmabufd-test
CONF=$ETC/dmabufctl.conf
HOOKOUT=/tmp/hook-out
METRICS=/run/dmabufctl/metrics.prom
LOG=/tmp/dmabufd.log

dmabufd_setup() {
	command -v dmabufd >/dev/null || skip "dmabufd is not in the VM (tests/vm/run --bin build/src/daemon/dmabufd)"
	command -v dmabuf-hold >/dev/null || skip "the dmabuf-hold helper is missing"
	need /dev/dma_heap/system
	grep -q '^dmabuf ' $CGROOT/memory.stat || skip "memory.stat has no dmabuf key (unpatched kernel)"
	mkdir -p -m 755 $ETC /run/dmabufctl
	mkdir -p $HOOKOUT
	# The hook writes its environment, one file per event and cgroup.
	cat > $ETC/hook <<HOOK
#!/bin/sh
env | sort > $HOOKOUT/"\$DMABUFCTL_EVENT\$(echo "\$DMABUFCTL_CGROUP" | tr / _)"
HOOK
	chmod 755 $ETC/hook
}

# write_conf DAEMON-LINES POLICIES
write_conf() {
	printf '[daemon]\n%s\nalert-hook = %s/hook\nmetrics-file = %s\n\n%s\n' "$1" $ETC $METRICS "$2" > $CONF
	chmod 644 $CONF
}

start_dmabufd() {
	dmabufd --config $CONF 2> $LOG &
	DMABUFD=$!
	wait_for 20 test -s $METRICS
}

stop_dmabufd() {
	kill -TERM $DMABUFD
	wait $DMABUFD
	_rc=$?
	echo "--- dmabufd log:"
	cat $LOG
	[ $_rc = 0 ] || fail "dmabufd exited with status $_rc"
}

# hold CGROUP MIB: a process in CGROUP holding MIB of dma-heap memory;
# HELD is its pid.
hold() {
	sh -c "echo \$\$ > $CGROOT$1/cgroup.procs && exec dmabuf-hold $2" &
	HELD=$!
}

charged() {
	_v=$(cg_key $CGROOT$1/memory.stat dmabuf)
	[ -n "$_v" ] && [ "$_v" -ge $(($2 * M)) ]
}

populated0() { grep -q "populated 0" $CGROOT$1/cgroup.events; }
populated1() { grep -q "populated 1" $CGROOT$1/cgroup.events; }

# hook_env FILE VAR VALUE: the hook saw VAR=VALUE.
hook_env() {
	grep -qx "$2=$3" $HOOKOUT/$1 || fail "hook $1: $2 is '$(sed -n "s/^$2=//p" $HOOKOUT/$1)', not '$3'"
}

metric_evaluations() { sed -n 's/^dmabufd_evaluations_total //p' $METRICS; }

# Every line of the metrics file a comment or a valid Prometheus sample.
check_metrics() {
	_bad=$(grep -Ev '^# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .+$|^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\["\\n])*",?)*\})? (-?[0-9]+(\.[0-9]+)?|\+Inf)$' $METRICS)
	[ -z "$_bad" ] || fail "invalid metrics lines: $_bad"
	echo "metrics: $(grep -vc '^#' $METRICS) samples, all valid Prometheus text"
}

dmabufd_setup

# ---- part 1
# dmabufd on the real kernel: a slice policy over its dmabuf.max kills only
# the slice's busiest child (real dma-heap charges); its siblings keep
# running. The kernel says so (cgroup.events populated, memory.stat dmabuf);
# the hook ran with the contract's environment; the metrics file parses.
echo "---- part 1: dmabufd-slice"

mkdir $CGROOT/apps.slice || fail "cannot create apps.slice"
echo +memory > $CGROOT/apps.slice/cgroup.subtree_control
for c in a b c; do mkdir $CGROOT/apps.slice/app-$c.scope; done
hold /apps.slice/app-a.scope 4; A=$HELD
hold /apps.slice/app-b.scope 24; B=$HELD
hold /apps.slice/app-c.scope 8; C=$HELD
wait_for 20 charged /apps.slice 36
echo "apps.slice holds $(cg_key $CGROOT/apps.slice/memory.stat dmabuf) bytes of dma-buf"

write_conf "interval = 200ms
grace = 1s
cooldown = 1min" "[policy:apps]
unit = apps.slice
dmabuf.max = 32M
action = kill"
start_dmabufd
wait_for 30 populated0 /apps.slice/app-b.scope
wait $B; echo "the busiest child's holder ended with status $?"
populated1 /apps.slice/app-a.scope || fail "app-a was touched"
populated1 /apps.slice/app-c.scope || fail "app-c was touched"
kill -0 $A && kill -0 $C || fail "a sibling's holder is gone"
left=$(cg_key $CGROOT/apps.slice/memory.stat dmabuf)
[ "$left" -le $((32 * M)) ] || fail "apps.slice still holds $left bytes"
echo "apps.slice holds $left bytes after the kill"

wait_for 10 test -e $HOOKOUT/kill_apps.slice
hook_env kill_apps.slice DMABUFCTL_EVENT kill
hook_env kill_apps.slice DMABUFCTL_ACTION kill
hook_env kill_apps.slice DMABUFCTL_CGROUP /apps.slice
hook_env kill_apps.slice DMABUFCTL_POLICY apps
hook_env kill_apps.slice DMABUFCTL_TARGET /apps.slice/app-b.scope
hook_env kill_apps.slice DMABUFCTL_LIMIT_BYTES $((32 * M))
hook_env kill_apps.slice PATH /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
bytes=$(sed -n 's/^DMABUFCTL_DMABUF_BYTES=//p' $HOOKOUT/kill_apps.slice)
[ "$bytes" -ge $((36 * M)) ] || fail "DMABUFCTL_DMABUF_BYTES=$bytes, not the 36M it held"
check_metrics
stop_dmabufd
echo "kill of the offender, siblings untouched"

# ---- part 2
# Clients going over their dmabuf.max after dmabufd started, with real
# dma-heap charges: one is frozen (cgroup.events frozen 1), one killed
# (populated 0; this cgroup is created after dmabufd started), one only
# alerted (the hook ran with the right environment), and a protected one
# only alerted. Then SIGHUP with a broken configuration keeps the old
# policies. Prints the reaction time of the kill minus the grace.
# Over: the kill's reaction is timed from the allocation that crosses.
# A broken configuration on SIGHUP: reported with FILE:LINE, old one kept.
echo "---- part 2: dmabufd-clients"
rm -f $METRICS $LOG $HOOKOUT/*

for c in client-freeze client-alert guarded; do mkdir $CGROOT/$c || fail "mkdir $c"; done
write_conf "interval = 200ms
grace = 1s
cooldown = 1min
metrics-interval = 1s
protect = /guarded" "[policy:freezer]
cgroup = /client-freeze
dmabuf.max = 16M
action = freeze

[policy:killer]
cgroup = /client-kill
dmabuf.max = 16M
action = kill

[policy:alerter]
cgroup = /client-alert
dmabuf.max = 16M

[policy:guarded]
cgroup = /guarded
dmabuf.max = 16M
action = kill"
start_dmabufd
mkdir $CGROOT/client-kill
wait_for 10 grep -q "policing /client-kill" $LOG
for c in client-freeze client-kill client-alert guarded; do hold /$c 8; done
sleep 1
for c in client-freeze client-alert guarded; do
	populated1 /$c || fail "$c was acted on under its limit"
done

# Over: the kill's reaction is timed from the allocation that crosses.
t0=$(cut -d' ' -f1 /proc/uptime)
hold /client-kill 16
wait_for 30 populated0 /client-kill
t1=$(cut -d' ' -f1 /proc/uptime)
awk -v a="$t0" -v b="$t1" 'BEGIN { printf "reaction: %.0f ms from the crossing allocation to the kill, minus grace 1000 ms (goal: interval 200 ms + 50 ms)\n", (b - a) * 1000 - 1000 }'

for c in client-freeze client-alert guarded; do hold /$c 16; done
wait_for 30 grep -q "frozen 1" $CGROOT/client-freeze/cgroup.events
wait_for 10 test -e $HOOKOUT/freeze_client-freeze
hook_env freeze_client-freeze DMABUFCTL_ACTION freeze
hook_env freeze_client-freeze DMABUFCTL_TARGET /client-freeze
wait_for 10 test -e $HOOKOUT/over_client-alert
hook_env over_client-alert DMABUFCTL_EVENT over
hook_env over_client-alert DMABUFCTL_ACTION alert
hook_env over_client-alert DMABUFCTL_POLICY alerter
hook_env over_client-alert DMABUFCTL_LIMIT_BYTES $((16 * M))
wait_for 10 test -e $HOOKOUT/over_guarded
hook_env over_guarded DMABUFCTL_ACTION protected
populated1 /client-alert || fail "the alert-only client was acted on"
populated1 /guarded || fail "the protected cgroup was acted on"
grep -q "frozen 0" $CGROOT/guarded/cgroup.events || fail "the protected cgroup is frozen"
[ "$(cat $CGROOT/guarded/cgroup.freeze)" = 0 ] || fail "the protected cgroup was asked to freeze"

# A broken configuration on SIGHUP: reported with FILE:LINE, old one kept.
cp $CONF $CONF.good
printf '\n[policy:broken]\ncgroup = /nothing\ndmabuf.max = lots\n' >> $CONF
kill -HUP $DMABUFD
wait_for 10 grep -q "config-rejected" $LOG
grep -q "$CONF:[0-9]*: dmabuf.max" $LOG || fail "the rejection does not name FILE:LINE"
n=$(metric_evaluations)
wait_for 10 sh -c "[ \$(sed -n 's/^dmabufd_evaluations_total //p' $METRICS) -gt $n ]"
for p in freezer killer alerter guarded; do
	grep -q "dmabufd_policy_dmabuf_limit_bytes{policy=\"$p\"}" $METRICS || fail "policy $p lost after a rejected reload"
done
echo 0 > $CGROOT/client-freeze/cgroup.freeze
check_metrics
stop_dmabufd

# ---- part 3
# memory.events of a policed cgroup, learnt from the kernel's file
# notification as they happen: a dma-heap allocation that does not fit under
# memory.max beside what is held (a new "max" event; it fails with ENOMEM) and an OOM kill (a new
# "oom_kill" event) are reported, with how long after the kernel counted them.
echo "---- part 3: dmabufd-memory-events"
rm -f $METRICS $LOG $HOOKOUT/*

mkdir $CGROOT/max-1 $CGROOT/oom-1 || fail "mkdir"
echo $((16 * M)) > $CGROOT/max-1/memory.max
echo $((16 * M)) > $CGROOT/oom-1/memory.max
echo 0 > $CGROOT/oom-1/memory.swap.max 2>/dev/null
write_conf "interval = 10s
grace = 1min" "[policy:max]
cgroup = /max-1
dmabuf.max = 64M

[policy:oom]
cgroup = /oom-1
dmabuf.max = 64M"
start_dmabufd
wait_for 10 test -s $METRICS

# 10M held, then 10M more: each fits under 16M on its own (a request that can
# never fit fails before any reclaim, without a "max" event), together they
# do not, so the second one reclaims, raises "max" and fails.
sh -c "echo \$\$ > $CGROOT/max-1/cgroup.procs && exec dmabuf-hold 10" > /tmp/hold-max.out &
hold_max=$!
wait_for 10 grep -q held /tmp/hold-max.out
sh -c "echo \$\$ > $CGROOT/max-1/cgroup.procs && exec dmabuf-hold 10" && fail "20M over a 16M memory.max was allocated"
kill $hold_max; wait $hold_max 2>/dev/null
echo "memory.events max of /max-1: $(cg_key $CGROOT/max-1/memory.events max)"
wait_for 5 grep -q "EVENT=max CGROUP=/max-1" $LOG

sh -c "echo \$\$ > $CGROOT/oom-1/cgroup.procs && exec memhog 64" && fail "memhog 64 survived a 16M memory.max"
t0=$(cut -d' ' -f1 /proc/uptime)
echo "memory.events oom_kill of /oom-1: $(cg_key $CGROOT/oom-1/memory.events oom_kill)"
wait_for 5 grep -q "EVENT=oom_kill CGROUP=/oom-1" $LOG
t1=$(cut -d' ' -f1 /proc/uptime)
awk -v a="$t0" -v b="$t1" 'BEGIN { printf "oom_kill reported within %.0f ms of the kill being seen here (interval 10 s: not a pass)\n", (b - a) * 1000 }'
grep "EVENT=oom_kill" $LOG
stop_dmabufd
