# Issue 10, 5: every freeze is recorded (DMABUFD_STATE_DIR) and thawed:
# on SIGTERM; after a kill -9, by the next dmabufd at its start; and on a
# reload whose policy no longer asks for freeze. --once lists what dmabufd
# froze. (The fixture stands in for the kernel: cgroup.events says frozen.)
. "$SRC/tests/daemon/lib.sh"
setup_tree 'interval = 100ms\ngrace = 300ms\ncooldown = 1min'
# The player is media.slice's busiest child, holding most of it: the one
# to freeze.
printf 'anon 4096\nfile 8192\ndmabuf 10485760\n' > tree/media.slice/codec.service/memory.stat
printf 'anon 4096\nfile 8192\ndmabuf 314572800\n' > tree/media.slice/player.service/memory.stat
freeze_of() { cat tree/media.slice/player.service/cgroup.freeze; }

start_daemon
waitfor 30 '[ "$(freeze_of)" = 1 ]'
echo "frozen; records: $(ls "$DMABUFD_STATE_DIR" | wc -l)"
stop_daemon
echo "after SIGTERM: cgroup.freeze $(freeze_of); records: $(ls "$DMABUFD_STATE_DIR" | wc -l)"

start_daemon
waitfor 30 '[ "$(freeze_of)" = 1 ]'
# Both in one group with stderr gone: bash reports the killed job ("Killed")
# whenever it notices, which may be before the wait.
{
        kill -KILL "$DAEMON"
        wait "$DAEMON" || true
} 2> /dev/null
echo "after kill -9: cgroup.freeze $(freeze_of); records: $(ls "$DMABUFD_STATE_DIR" | wc -l)"
DMABUFCTL_PROC_ROOT=$FIX/proc-daemon "$DMABUFD" --once --root tree --config etc/dmabufctl.conf | grep '^frozen by' |
        sed 's/cgroup id [0-9]*, by pid [0-9]*/cgroup id ID, by pid PID/'
# The player no longer over: the next daemon only thaws what the dead one froze.
printf 'anon 4096\nfile 8192\ndmabuf 0\n' > tree/media.slice/player.service/memory.stat
printf 'anon 4096\nfile 8192\ndmabuf 0\n' > tree/media.slice/memory.stat
start_daemon
waitfor 30 '[ "$(freeze_of)" = 0 ]'
grep -o 'thawed (the dmabufd that froze it is gone)' log
stop_daemon

# A reload that turns the policy into alert thaws at once.
printf 'anon 4096\nfile 8192\ndmabuf 314572800\n' > tree/media.slice/player.service/memory.stat
printf 'anon 4096\nfile 8192\ndmabuf 345000000\n' > tree/media.slice/memory.stat
start_daemon
waitfor 30 '[ "$(freeze_of)" = 1 ]'
sed -i '/^\[policy:media\]/,/^$/s/action = freeze/action = alert/' etc/dmabufctl.conf
kill -HUP "$DAEMON"
waitfor 30 '[ "$(freeze_of)" = 0 ]'
grep -o 'thawed (its policy no longer asks for freeze)' log
stop_daemon
echo "records left: $(ls "$DMABUFD_STATE_DIR" | wc -l)"
