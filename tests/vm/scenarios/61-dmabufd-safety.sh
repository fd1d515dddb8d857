#!/bin/sh
# vm: accounting=on timeout=600
# dmabufd acts only on the guilty (issue 10), on the real kernel with real
# dma-heap charges (dmabuf-hold) and real memory.events (memhog). Every
# figure is read from the kernel (memory.stat, memory.events, cgroup.events),
# never from dmabufd's own report.
#  1. A slice over its dmabuf.max whose charge is held only by a process
#     outside it (a compositor keeping a client's buffer after the client
#     left; the client's cgroup removed, its charge reparented to the slice):
#     an alert saying the charge is not held by a live child; the small
#     bystander in the slice and the holder keep running.
#  3. memory.max reclaim and an OOM kill in a cgroup with dmabuf 0 (a policy
#     with action = kill): alerts, no action; its survivor keeps running.
#  5. A freeze is undone on SIGTERM (cgroup.events frozen 0) and, after
#     kill -9, by the next dmabufd at its start.
#  4. dmabufd living in the root cgroup acts on an over-budget client (not
#     "protected (own cgroup)").
. /usr/share/vm/lib.sh

ETC=/etc/dmabufd-safety
CONF=$ETC/dmabufctl.conf
LOG=/tmp/dmabufd.log
export DMABUFD_STATE_DIR=/run/dmabufd-safety

command -v dmabufd >/dev/null || skip "dmabufd is not in the VM (tests/vm/run --bin build/src/daemon/dmabufd)"
command -v dmabuf-hold >/dev/null || skip "the dmabuf-hold helper is missing"
need /dev/dma_heap/system
cg_key $CGROOT/memory.stat dmabuf >/dev/null || skip "memory.stat has no dmabuf key (unpatched kernel)"
mkdir -p -m 755 $ETC

# conf POLICIES: the configuration, 200 ms passes, 1 s grace.
conf() {
	printf '[daemon]\ninterval = 200ms\ngrace = 1s\ncooldown = 1min\nmetrics-file = /tmp/metrics.prom\n\n%s\n' "$1" > $CONF
	chmod 644 $CONF
}

# start [IN-CGROUP]: dmabufd, in the scenario's cgroup or the one given.
start() {
	rm -f /tmp/metrics.prom
	if [ -n "$1" ]; then
		sh -c "echo \$\$ > $CGROOT$1/cgroup.procs && exec dmabufd --config $CONF" 2>> $LOG &
	else
		dmabufd --config $CONF 2>> $LOG &
	fi
	DMABUFD=$!
	wait_for 20 test -s /tmp/metrics.prom
}

stop() {
	kill -TERM $DMABUFD
	wait $DMABUFD || fail "dmabufd exited with status $?"
}

# hold CGROUP MIB: a process in CGROUP holding MIB of dma-heap memory (HELD).
hold() {
	sh -c "echo \$\$ > $CGROOT$1/cgroup.procs && exec dmabuf-hold $2" > /dev/null &
	HELD=$!
}

at_least() { _v=$(cg_key $CGROOT$1/memory.stat dmabuf); [ -n "$_v" ] && [ "$_v" -ge $(($2 * M)) ]; }
populated() { grep -q "populated $2" $CGROOT$1/cgroup.events; }
frozen() { grep -q "frozen $2" $CGROOT$1/cgroup.events; }
logged() { grep -q "$1" $LOG; }

# ---- 1: the charge held by no live child
echo "---- 1: charge not held by a live child"
mkdir $CGROOT/compositor $CGROOT/apps.slice || fail "mkdir"
echo +memory > $CGROOT/apps.slice/cgroup.subtree_control
mkdir $CGROOT/apps.slice/app-gone.scope $CGROOT/apps.slice/app-small.scope
hold /apps.slice/app-gone.scope 32; KEEPER=$HELD
hold /apps.slice/app-small.scope 1; SMALL=$HELD
wait_for 20 at_least /apps.slice/app-gone.scope 32
# The client leaves: the process keeping its buffer lives on in the
# compositor (a charge stays where it was made), its cgroup is removed and
# the charge is reparented to the slice.
echo $KEEPER > $CGROOT/compositor/cgroup.procs
wait_for 10 populated /apps.slice/app-gone.scope 0
rmdir $CGROOT/apps.slice/app-gone.scope || fail "cannot remove the client's cgroup"
wait_for 20 at_least /apps.slice 33
echo "apps.slice: dmabuf $(cg_key $CGROOT/apps.slice/memory.stat dmabuf) (memory.stat), app-small.scope $(cg_key $CGROOT/apps.slice/app-small.scope/memory.stat dmabuf)"
conf "[policy:apps]
cgroup = /apps.slice
dmabuf.max = 16M
action = kill"
start
wait_for 30 logged "over: /apps.slice (policy apps).*charge not held by a live child"
sleep 1         # a few passes more: still nobody acted on
populated /apps.slice/app-small.scope 1 || fail "the bystander app-small.scope was killed"
kill -0 $SMALL || fail "the bystander's process is gone"
kill -0 $KEEPER || fail "the compositor's process is gone"
logged "EVENT=kill" && fail "dmabufd killed something: $(grep EVENT=kill $LOG)"
stop
grep "EVENT=over CGROUP=/apps.slice" $LOG | head -1
kill $KEEPER $SMALL; wait $KEEPER $SMALL 2> /dev/null
echo "alert only, nobody killed"

# ---- 3: memory.events max and oom_kill at dmabuf 0 act on nothing
echo "---- 3: memory.events at dmabuf 0"
: > $LOG
mkdir $CGROOT/batch || fail "mkdir"
echo $((16 * M)) > $CGROOT/batch/memory.max
echo 0 > $CGROOT/batch/memory.swap.max 2> /dev/null
sh -c "echo \$\$ > $CGROOT/batch/cgroup.procs && exec sleep 600" &
SURVIVOR=$!
conf "[policy:batch]
cgroup = /batch
dmabuf.max = 8M
action = kill"
start
sh -c "echo \$\$ > $CGROOT/batch/cgroup.procs && exec memhog 64" > /dev/null 2>&1 && fail "memhog 64 survived a 16M memory.max"
echo "memory.events of /batch: max $(cg_key $CGROOT/batch/memory.events max), oom_kill $(cg_key $CGROOT/batch/memory.events oom_kill); dmabuf $(cg_key $CGROOT/batch/memory.stat dmabuf)"
[ "$(cg_key $CGROOT/batch/memory.events max)" -gt 0 ] || fail "no memory.events max counted"
wait_for 10 logged "EVENT=oom_kill CGROUP=/batch"
wait_for 10 logged "EVENT=max CGROUP=/batch"
sleep 2         # past the grace: still nothing done
kill -0 $SURVIVOR || fail "the survivor in /batch was killed"
populated /batch 1 || fail "/batch is empty"
logged "EVENT=kill" && fail "dmabufd acted on memory.events: $(grep EVENT=kill $LOG)"
grep -q "over dmabuf.max" $LOG && fail "a message claims dmabuf over dmabuf.max: $(grep 'over dmabuf.max' $LOG)"
stop
kill $SURVIVOR; wait $SURVIVOR 2> /dev/null
echo "alerts, no action"

# ---- 5: thawed on SIGTERM, and after kill -9 by the next dmabufd
echo "---- 5: thawing"
: > $LOG
mkdir $CGROOT/player || fail "mkdir"
hold /player 24; PLAYER=$HELD
wait_for 20 at_least /player 24
conf "[policy:player]
cgroup = /player
dmabuf.max = 16M
action = freeze"
start
wait_for 30 frozen /player 1
echo "frozen; records: $(ls $DMABUFD_STATE_DIR)"
stop
wait_for 10 frozen /player 0
echo "SIGTERM: cgroup.events frozen 0"
start
wait_for 30 frozen /player 1
kill -KILL $DMABUFD; wait $DMABUFD 2> /dev/null
frozen /player 1 || fail "not frozen after kill -9"
[ -n "$(ls $DMABUFD_STATE_DIR)" ] || fail "no freeze record left by the killed dmabufd"
# The next one must not freeze it again before we look: alert only now.
conf "[policy:player]
cgroup = /player
dmabuf.max = 16M
action = alert"
start
wait_for 10 frozen /player 0
logged "thawed (the dmabufd that froze it is gone)" || fail "the thaw at start was not said"
stop
kill -0 $PLAYER || fail "the player's process is gone"
kill $PLAYER; wait $PLAYER 2> /dev/null
echo "kill -9, restart: cgroup.events frozen 0"

# ---- 4: dmabufd in the root cgroup acts
echo "---- 4: dmabufd in the root cgroup"
: > $LOG
mkdir $CGROOT/app-over || fail "mkdir"
hold /app-over 24; OVER=$HELD
wait_for 20 at_least /app-over 24
conf "[policy:over]
cgroup = /app-over
dmabuf.max = 16M
action = kill"
start /
grep -q '^0::/$' /proc/$DMABUFD/cgroup || fail "dmabufd is not in the root cgroup: $(cat /proc/$DMABUFD/cgroup)"
wait_for 30 populated /app-over 0
logged "EVENT=kill CGROUP=/app-over" || fail "no kill reported"
stop
echo "the over-budget client in /app-over was killed by a dmabufd in the root cgroup"
