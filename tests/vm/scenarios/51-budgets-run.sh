#!/bin/sh
# vm: accounting=on timeout=900
# dmabufctl run on plain cgroups (no systemd in this VM): the command runs in
# a new cgroup under run-parent whose memory.max the kernel enforces; the
# cgroup is gone afterwards; exit status and signals pass through.
. /usr/share/vm/lib.sh

command -v dmabufctl >/dev/null || skip "dmabufctl is not in the VM (tests/vm/run --bin build/src/cli/dmabufctl)"
command -v memhog >/dev/null || fail "the memhog helper is missing"
P=$CGROOT/dmabufctl.slice
printf '[daemon]\nrun-parent = /dmabufctl.slice\n' > run.conf
export DMABUFCTL_RUNTIME_DIR=/run/dmabufctl

# Within budget: the command runs in its cgroup, with its memory.max; the
# cgroup is made by libcgroup (cgroup_create_cgroup bound when called).
LD_DEBUG=bindings LD_DEBUG_OUTPUT=$PWD/ld dmabufctl --config run.conf run --memory-max 64M --name fits -- \
	sh -c 'cat /proc/self/cgroup; cat /sys/fs/cgroup/dmabufctl.slice/fits/memory.max; memhog 16' >out; rc=$?
cat out
[ $rc = 0 ] || fail "run of a command within its budget: rc $rc"
grep -qx '0::/dmabufctl.slice/fits' out || fail "the command was not in /dmabufctl.slice/fits"
grep -qx 67108864 out || fail "its cgroup's memory.max was not 64M"
grep -q "held 16 MiB" out || fail "memhog did not finish"
[ -e $P/fits ] && fail "the cgroup /dmabufctl.slice/fits was not removed"
grep -qw memory $P/cgroup.subtree_control || fail "run-parent does not hand memory to its children"
cat ld.* | grep -q "symbol .cgroup_create_cgroup'" || fail "run did not create its cgroup through libcgroup"

# Over budget: the kernel OOM-kills it inside its cgroup (oom_kill of the
# parent counts its children's), run returns 128 + SIGKILL.
before=$(cg_key $P/memory.events oom_kill)
dmabufctl --config run.conf run --memory-max 32M --name hog -- memhog 128; rc=$?
after=$(cg_key $P/memory.events oom_kill)
echo "rc $rc, oom_kill of /dmabufctl.slice $before -> $after"
[ $rc = 137 ] || fail "the hog was not killed by SIGKILL (rc $rc)"
[ "$after" -gt "$before" ] || fail "memory.events counted no oom_kill"
[ -e $P/hog ] && fail "the cgroup /dmabufctl.slice/hog was not removed"

# Exit status passes through.
dmabufctl --config run.conf run -- sh -c 'exit 5'; rc=$?
[ $rc = 5 ] || fail "exit status 5 came back as $rc"

# SIGTERM to run reaches the command; the cgroup goes.
dmabufctl --config run.conf run --name sleeper -- sleep 600 &
pid=$!
wait_for 30 grep -q . $P/sleeper/cgroup.procs
kill -TERM $pid
wait $pid; rc=$?
[ $rc = 143 ] || fail "SIGTERM: rc $rc, not 143"
[ -e $P/sleeper ] && fail "the cgroup /dmabufctl.slice/sleeper was not removed"

# What the command leaves behind is killed with its cgroup.
dmabufctl --config run.conf run --name leaver -- sh -c 'sleep 600 & echo $! > leftover' || fail "leaver failed"
left=$(cat leftover)
# (a zombie waiting for /init to reap it has ended)
grep -q '^State:[[:space:]]*[^Z]' /proc/$left/status 2>/dev/null && fail "the left-behind process $left still runs"
[ -e $P/leaver ] && fail "the cgroup /dmabufctl.slice/leaver was not removed"

# --dmabuf-max: a policy drop-in for the cgroup while the command runs.
dmabufctl --config run.conf run --dmabuf-max 64M --name cam -- \
	sh -c 'cat /run/dmabufctl/policies.d/run-cam.conf' >out || fail "run --dmabuf-max failed"
cat out
grep -qx 'cgroup = /dmabufctl.slice/cam' out || fail "the runtime policy does not name the cgroup"
grep -qx 'dmabuf.max = 67108864' out || fail "the runtime policy does not hold dmabuf.max"
[ -e /run/dmabufctl/policies.d/run-cam.conf ] && fail "the runtime policy was not removed"
echo "run: budget enforced by the kernel, cgroups removed"
