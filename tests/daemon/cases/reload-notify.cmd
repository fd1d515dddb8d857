# The sd_notify protocol around a reload, as systemd sees it: READY=1 after
# the first pass; on SIGHUP, RELOADING=1 with MONOTONIC_USEC (no earlier
# than the signal), then READY=1 once the new configuration is in force, and
# again for a rejected one. A listener on $NOTIFY_SOCKET records the
# datagrams (python3; skipped without it).
command -v python3 > /dev/null || { echo "skipped: python3 is missing" >&2; exit 77; }
. "$SRC/tests/daemon/lib.sh"
setup_tree 'interval = 100ms\ngrace = 10min'
python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
open(sys.argv[1] + ".ready", "w").close()
with open(sys.argv[2], "a") as out:
    while True:
        m = s.recv(4096).decode()
        print(m.replace("\n", " "), file=out, flush=True)
' "$TMP/notify" notify.log &
LISTENER=$!
waitfor 10 '[ -e "$TMP/notify.ready" ]'
NOTIFY_SOCKET=$TMP/notify start_daemon
trap 'kill "$DAEMON" "$LISTENER" 2> /dev/null || true' EXIT
waitfor 30 'grep -q "^READY=1" notify.log'
mono() { python3 -c 'import time; print(time.clock_gettime_ns(time.CLOCK_MONOTONIC) // 1000)'; }
before=$(mono)
kill -HUP $DAEMON
waitfor 30 '[ "$(grep -c "^READY=1" notify.log)" = 2 ]'
printf '\n[policy:broken]\ncgroup = /idle.slice\ndmabuf.max = lots\n' >> etc/dmabufctl.conf
kill -HUP $DAEMON
waitfor 30 '[ "$(grep -c "^READY=1" notify.log)" = 3 ]'
stop_daemon
kill $LISTENER
# The STATUS= lines vary with timing: only the protocol's own messages.
grep -v '^STATUS=' notify.log | sed 's/MONOTONIC_USEC=[0-9]*/MONOTONIC_USEC=N/'
usec=$(sed -n 's/.*MONOTONIC_USEC=\([0-9]*\).*/\1/p' notify.log | head -n1)
[ "$usec" -ge "$before" ] && echo "MONOTONIC_USEC is no earlier than the signal" ||
        echo "MONOTONIC_USEC $usec is before the signal ($before)"
