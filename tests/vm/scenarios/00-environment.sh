#!/bin/sh
# vm: accounting=on,off
# What every scenario relies on: cgroup2 with the memory controller enabled
# below the root, the system dma-heap, and a writable /tmp.
. /usr/share/vm/lib.sh

grep -q ' /sys/fs/cgroup cgroup2 ' /proc/mounts || fail "cgroup2 is not mounted at /sys/fs/cgroup"
grep -qw memory $CGROOT/cgroup.subtree_control || fail "memory is not in the root's cgroup.subtree_control"
grep -qw pids $CGROOT/cgroup.subtree_control || fail "pids is not in the root's cgroup.subtree_control"
[ -c /dev/dma_heap/system ] || fail "/dev/dma_heap/system is missing"
mkdir $CGROOT/env-probe || fail "cannot create a cgroup"
[ -e $CGROOT/env-probe/memory.stat ] || fail "a new cgroup has no memory.stat"
rmdir $CGROOT/env-probe
echo "kernel $(uname -r), accounting=$VM_ACCOUNTING, $(grep MemTotal /proc/meminfo)"
