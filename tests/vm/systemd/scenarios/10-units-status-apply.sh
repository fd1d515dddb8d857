#!/bin/sh
# unit = foo.service and unit = apps.slice policies resolve over sd-bus to
# the cgroups systemd made, in status and in apply; apply on a mix of units
# and a cgroup path; the values are read back from systemd and the kernel.
. /usr/share/vm/lib.sh
. /usr/share/vm/lib-systemd.sh
M=1048576

make_service foo.service
make_service app1.service apps.slice
make_service bar.service
[ "$(unit_cgroup foo.service)" = /system.slice/foo.service ] || fail "foo.service is not in /system.slice"
[ "$(unit_cgroup apps.slice)" = /apps.slice ] || fail "apps.slice has no cgroup"

cat > budgets.conf <<CONF
[policy:foo]
unit = foo.service
memory.max = 100M
memory.high = 80M

[policy:apps]
unit = apps.slice
memory.max = 1G

[policy:bar-path]
cgroup = /system.slice/bar.service
memory.high = 60M
CONF

dmabufctl --config budgets.conf status > status.out 2> status.err || { cat status.err; fail "status failed"; }
cat status.out status.err
grep -q '^/system.slice/foo.service .* foo ' status.out || fail "status has no row for foo.service with policy foo"
grep -q '^/apps.slice .* apps ' status.out || fail "status has no row for /apps.slice with policy apps"
grep -q 'skipped' status.err && fail "a unit policy was not resolved"

dmabufctl --config budgets.conf apply --dry-run > dry.out || fail "apply --dry-run failed"
cat dry.out
grep -q '^foo.service  *memory.max .*-> 100M' dry.out || fail "dry run: no foo.service memory.max change"
grep -q '^apps.slice  *memory.max .*-> 1.0G' dry.out || fail "dry run: no apps.slice change"
grep -q '^/system.slice/bar.service  *memory.high .*->  *60M' dry.out || fail "dry run: no bar path change"
[ "$(unit_prop foo.service MemoryMax)" = infinity ] || fail "--dry-run changed foo.service"

dmabufctl --config budgets.conf --json apply > apply.json || fail "apply failed"
cat apply.json
grep -q '"kind": "unit"' apply.json || fail "no unit change in apply's JSON"
[ "$(unit_prop foo.service MemoryMax)" = $((100 * M)) ] || fail "foo.service MemoryMax is $(unit_prop foo.service MemoryMax)"
[ "$(unit_prop foo.service MemoryHigh)" = $((80 * M)) ] || fail "foo.service MemoryHigh is $(unit_prop foo.service MemoryHigh)"
[ "$(cat /sys/fs/cgroup/system.slice/foo.service/memory.max)" = $((100 * M)) ] || fail "foo.service's memory.max is not 100M"
[ "$(unit_prop apps.slice MemoryMax)" = $((1024 * M)) ] || fail "apps.slice MemoryMax is $(unit_prop apps.slice MemoryMax)"
[ "$(cat /sys/fs/cgroup/apps.slice/memory.max)" = $((1024 * M)) ] || fail "apps.slice's memory.max is not 1G"
[ "$(cat /sys/fs/cgroup/system.slice/bar.service/memory.high)" = $((60 * M)) ] || fail "bar.service's memory.high is not 60M"
# apply writes runtime properties.
ls /run/systemd/system.control/foo.service.d/ || fail "no runtime drop-in for foo.service"
[ -e /etc/systemd/system.control/foo.service.d ] && fail "apply wrote a persistent drop-in"

dmabufctl --config budgets.conf apply | tee again.out
grep -q "nothing to do" again.out || fail "a second apply changed something"

# A unit policy whose unit is not loaded is said once and skipped.
printf '[policy:ghost]\nunit = ghost.service\nmemory.max = 1G\n' >> budgets.conf
dmabufctl --config budgets.conf apply 2> ghost.err | tee ghost.out
cat ghost.err
grep -q 'ghost.service' ghost.err || fail "the unloaded unit was not reported"
echo "units resolved over sd-bus; unit and path budgets applied and read back"
