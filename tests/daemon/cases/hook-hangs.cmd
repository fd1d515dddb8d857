# A hook that hangs (and forked a child) is killed with its process group at
# its time limit; the daemon logs it and goes on with its passes.
. "$SRC/tests/daemon/lib.sh"
setup_tree 'interval = 100ms\ngrace = 10min\nalert-hook = '"$TMP"'/etc/alert'
printf '#!/bin/sh\nsleep 300 &\necho $! > %s/child\nexec sleep 300\n' "$TMP" > etc/alert
chmod 755 etc/alert
start_daemon
waitfor 30 '[ -s child ]'
child=$(cat child)
waitfor 60 'grep -q "killed at its time limit" log'
waitfor 30 '! kill -0 $child 2>/dev/null'
echo "the hook's child is gone"
before=$(sed -n 's/^dmabufd_evaluations_total //p' run/metrics.prom)
waitfor 30 '[ "$(sed -n "s/^dmabufd_evaluations_total //p" run/metrics.prom)" -gt $((before + 3)) ]'
echo "passes go on"
grep -o 'alert hook .* still runs after 5000ms: killing it with its process group' log | sed "s|$TMP|@TMP@|" | head -1
stop_daemon
