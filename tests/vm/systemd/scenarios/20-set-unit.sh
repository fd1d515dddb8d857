#!/bin/sh
# set foo.service changes systemctl show -p MemoryMax and the cgroup's
# memory.max; persistent unless --runtime; clear errors.
. /usr/share/vm/lib.sh
. /usr/share/vm/lib-systemd.sh
M=1048576

make_service setme.service
make_service rt.service
cg=/sys/fs/cgroup$(unit_cgroup setme.service)

dmabufctl set setme.service --memory-max 200M --memory-high 150M || fail "set failed"
[ "$(unit_prop setme.service MemoryMax)" = $((200 * M)) ] || fail "MemoryMax is $(unit_prop setme.service MemoryMax)"
[ "$(cat $cg/memory.max)" = $((200 * M)) ] || fail "memory.max is $(cat $cg/memory.max)"
[ "$(cat $cg/memory.high)" = $((150 * M)) ] || fail "memory.high is $(cat $cg/memory.high)"
ls /etc/systemd/system.control/setme.service.d/ || fail "no persistent drop-in"
systemctl daemon-reload
[ "$(unit_prop setme.service MemoryMax)" = $((200 * M)) ] || fail "MemoryMax after daemon-reload is $(unit_prop setme.service MemoryMax)"
[ "$(cat $cg/memory.max)" = $((200 * M)) ] || fail "memory.max after daemon-reload is $(cat $cg/memory.max)"

# --runtime: a drop-in under /run only (gone at reboot).
rcg=/sys/fs/cgroup$(unit_cgroup rt.service)
dmabufctl set rt.service --memory-max 120M --runtime || fail "set --runtime failed"
[ "$(unit_prop rt.service MemoryMax)" = $((120 * M)) ] || fail "runtime MemoryMax is $(unit_prop rt.service MemoryMax)"
[ "$(cat $rcg/memory.max)" = $((120 * M)) ] || fail "runtime memory.max is $(cat $rcg/memory.max)"
ls /run/systemd/system.control/rt.service.d/ || fail "no runtime drop-in"
[ -e /etc/systemd/system.control/rt.service.d ] && fail "--runtime wrote a persistent drop-in"
systemctl daemon-reload
echo "rt.service MemoryMax after daemon-reload: $(unit_prop rt.service MemoryMax)"

# The value in force is what set reports.
dmabufctl --json set setme.service --memory-max 300M > out.json || fail "set 300M failed"
cat out.json
grep -q "\"new\": $((300 * M))" out.json || fail "set did not report 300M in force"
grep -q "\"old\": $((200 * M))" out.json || fail "set did not report the old 200M"

# A slice through systemd: set before anything runs in it (systemd loads a
# slice without a unit file), in force once it is started.
dmabufctl set apps2.slice --memory-max 64M || fail "set apps2.slice failed"
[ "$(unit_prop apps2.slice MemoryMax)" = $((64 * M)) ] || fail "apps2.slice MemoryMax"
make_service inslice.service apps2.slice
[ "$(cat /sys/fs/cgroup/apps2.slice/memory.max)" = $((64 * M)) ] || fail "apps2.slice memory.max"

# Errors: one line each.
dmabufctl set nosuch.service --memory-max 1G 2>err; rc=$?
cat err
[ $rc = 1 ] && grep -q "no such unit" err || fail "no such unit: rc $rc"
dmabufctl set setme.service --memory-max 1Q 2>err; rc=$?
[ $rc = 2 ] || fail "an invalid size: rc $rc"
if id nobody >/dev/null 2>&1; then
	su -s /bin/sh nobody -c "dmabufctl set setme.service --memory-max 1G" 2>err; rc=$?
	cat err
	[ $rc = 1 ] && grep -qi "denied\|access" err || fail "as nobody: rc $rc"
	[ "$(unit_prop setme.service MemoryMax)" = $((300 * M)) ] || fail "nobody changed MemoryMax"
fi
echo "set through systemd: property and cgroup agree, drop-ins where expected"
