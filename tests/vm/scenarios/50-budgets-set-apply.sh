#!/bin/sh
# vm: accounting=on timeout=900
# dmabufctl set and apply on plain cgroups of the real kernel: the values are
# read back from memory.max / memory.high, not from our own output.
. /usr/share/vm/lib.sh

command -v dmabufctl >/dev/null || skip "dmabufctl is not in the VM (tests/vm/run --bin build/src/cli/dmabufctl)"
M=1048576

mkdir $CGROOT/budget-a || fail "cannot create a cgroup"

# set: written through libcgroup, read back from the kernel.
dmabufctl set /budget-a --memory-max 64M --memory-high 48M || fail "set failed"
[ "$(cat $CGROOT/budget-a/memory.max)" = $((64 * M)) ] || fail "memory.max is $(cat $CGROOT/budget-a/memory.max), not 64M"
[ "$(cat $CGROOT/budget-a/memory.high)" = $((48 * M)) ] || fail "memory.high is $(cat $CGROOT/budget-a/memory.high), not 48M"

# The write goes through libcgroup: with lazy binding, its
# cgroup_modify_cgroup is bound only when it is called.
LD_DEBUG=bindings dmabufctl set /budget-a --memory-high 40M 2>ld.out >/dev/null || fail "set 40M failed"
grep -q "symbol .cgroup_modify_cgroup'" ld.out || fail "set did not write through libcgroup"
[ "$(cat $CGROOT/budget-a/memory.high)" = $((40 * M)) ] || fail "memory.high is not 40M"

# The kernel rounds down to whole pages; set reports what is in force.
out=$(dmabufctl --json set budget-a --memory-max 1000000) || fail "set 1000000 failed"
echo "$out"
inforce=$(cat $CGROOT/budget-a/memory.max)
[ "$inforce" = 999424 ] || fail "memory.max is $inforce, not 999424 (1000000 rounded down to pages)"
echo "$out" | grep -q "\"new\": $inforce" || fail "set did not report the value in force ($inforce)"
dmabufctl set /budget-a --memory-max max || fail "set max failed"
[ "$(cat $CGROOT/budget-a/memory.max)" = max ] || fail "memory.max is not max"

# Errors: one line, exit 1; nothing written.
dmabufctl set /no-such --memory-max 1G 2>err; rc=$?
cat err
[ $rc = 1 ] && grep -q "no such cgroup" err || fail "a missing cgroup: rc $rc"
mkdir $CGROOT/budget-a/child    # budget-a does not hand memory to its children
dmabufctl set /budget-a/child --memory-max 1G 2>err; rc=$?
cat err
[ $rc = 1 ] && grep -q "memory controller is not enabled" err || fail "no memory controller: rc $rc"
rmdir $CGROOT/budget-a/child
dmabufctl set / --memory-max 1G 2>err; rc=$?
[ $rc = 1 ] && grep -q "root cgroup" err || fail "the root cgroup: rc $rc"
if su -s /bin/sh nobody -c true 2>/dev/null; then
	su -s /bin/sh nobody -c "dmabufctl set /budget-a --memory-max 1G" 2>err; rc=$?
	cat err
	[ $rc = 1 ] && grep -q "permission denied" err || fail "as nobody: rc $rc"
	[ "$(cat $CGROOT/budget-a/memory.max)" = max ] || fail "nobody changed memory.max"
fi
dmabufctl set /budget-a --memory-max 12X 2>err; rc=$?
[ $rc = 2 ] || fail "an invalid size: rc $rc, not 2"

# apply: globs and a slice (by its name: no systemd here), dry run first.
mkdir -p $CGROOT/apps.slice
echo +memory > $CGROOT/apps.slice/cgroup.subtree_control
mkdir $CGROOT/apps.slice/app-1.scope $CGROOT/apps.slice/app-2.scope
cat > budgets.conf <<CONF
[policy:apps]
cgroup = /apps.slice/app-*.scope
memory.max = 96M
memory.high = 64M

[policy:slice]
unit = apps.slice
memory.max = 256M

[policy:a]
cgroup = /budget-a
memory.high = 8M
CONF
dmabufctl --config budgets.conf apply --dry-run || fail "apply --dry-run failed"
[ "$(cat $CGROOT/apps.slice/app-1.scope/memory.max)" = max ] || fail "--dry-run wrote memory.max"
[ "$(cat $CGROOT/apps.slice/memory.max)" = max ] || fail "--dry-run wrote the slice"

dmabufctl --config budgets.conf apply >out || fail "apply failed"
cat out
[ "$(grep -c -- '->' out)" = 6 ] || fail "apply did not print 6 changes"
for s in app-1.scope app-2.scope; do
	[ "$(cat $CGROOT/apps.slice/$s/memory.max)" = $((96 * M)) ] || fail "$s memory.max not 96M"
	[ "$(cat $CGROOT/apps.slice/$s/memory.high)" = $((64 * M)) ] || fail "$s memory.high not 64M"
done
[ "$(cat $CGROOT/apps.slice/memory.max)" = $((256 * M)) ] || fail "apps.slice memory.max not 256M"
[ "$(cat $CGROOT/budget-a/memory.high)" = $((8 * M)) ] || fail "budget-a memory.high not 8M"
dmabufctl --config budgets.conf apply | grep -q "nothing to do" || fail "a second apply changed something"

# A target that cannot take a budget stops apply before the first write.
mkdir $CGROOT/budget-a/app-3.scope
echo 1G > $CGROOT/apps.slice/app-1.scope/memory.max
sed -i 's|/apps.slice/app-\*.scope|/*/app-*.scope|' budgets.conf
dmabufctl --config budgets.conf apply 2>err; rc=$?
cat err
[ $rc = 1 ] && grep -q "nothing was written" err || fail "apply with a bad target: rc $rc"
[ "$(cat $CGROOT/apps.slice/app-1.scope/memory.max)" = $((1024 * M)) ] || fail "apply wrote before failing"
echo "set and apply: every value read back from the kernel"
