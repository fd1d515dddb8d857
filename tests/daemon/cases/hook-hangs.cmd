# A hook that hangs, with a child in its process group and another that
# left it with setsid, is killed whole at its time limit (its own cgroup,
# cgroup.kill); the daemon logs it and goes on with its passes.
. "$SRC/tests/daemon/lib.sh"
setup_tree 'interval = 100ms\ngrace = 10min\nalert-hook = '"$TMP"'/etc/alert'
printf '#!/bin/sh\nsleep 300 &\necho $! > %s/child\nsetsid sh -c "echo \\$\\$ > %s/sid.tmp; mv %s/sid.tmp %s/sid; exec sleep 300" &\nexec sleep 300\n' "$TMP" "$TMP" "$TMP" "$TMP" > etc/alert
chmod 755 etc/alert
start_daemon
waitfor 30 '[ -s child ] && [ -s sid ]'
# The setsid child can only be caught by a cgroup of the hook's own: a build
# user who may not create a child of its own cgroup (a package build) skips.
if grep -q "no cgroup of its own" log; then
        stop_daemon
        kill "$(cat child)" "$(cat sid)" 2> /dev/null || true
        echo "skipped: dmabufd cannot create a cgroup for its hook here" >&2
        exit 77
fi
child=$(cat child) sid=$(cat sid)
waitfor 60 'grep -q "killed at its time limit" log'
waitfor 30 '! kill -0 $child 2>/dev/null'
echo "the hook's child is gone"
waitfor 30 '! kill -0 $sid 2>/dev/null || grep -q "^State:.*zombie" /proc/$sid/status'
echo "the hook's setsid child is gone"
before=$(sed -n 's/^dmabufd_evaluations_total //p' run/metrics.prom)
waitfor 30 '[ "$(sed -n "s/^dmabufd_evaluations_total //p" run/metrics.prom)" -gt $((before + 3)) ]'
echo "passes go on"
grep -o 'alert hook .* still runs after 5000ms: killing it with its cgroup' log | sed "s|$TMP|@TMP@|" | head -1
stop_daemon
