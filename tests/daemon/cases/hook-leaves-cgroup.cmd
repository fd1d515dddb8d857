# A hook that moves itself out of its own cgroup (to the root of the
# hierarchy) before it hangs: cgroup.kill of the emptied cgroup no longer
# reaches it, so dmabufd kills its main process through its pidfd (and its
# process group) at the time limit; on SIGTERM it thaws first, kills the
# hooks still running and waits for them only briefly.
need_root
. "$SRC/tests/daemon/lib.sh"
cg=$(findmnt -n -t cgroup2 -o TARGET | head -1)
if [ -z "$cg" ] || [ ! -w "$cg/cgroup.procs" ]; then
        echo "skipped: no writable cgroup2 hierarchy to escape to" >&2
        exit 77
fi
setup_tree 'interval = 100ms\ngrace = 300ms\ncooldown = 0s\nalert-hook = '"$TMP"'/etc/alert'
printf 'anon 4096\nfile 8192\ndmabuf 10485760\n' > tree/media.slice/codec.service/memory.stat
printf 'anon 4096\nfile 8192\ndmabuf 314572800\n' > tree/media.slice/player.service/memory.stat
printf '#!/bin/sh\necho $$ > %s/cgroup.procs && echo $$ >> %s/moved\nexec sleep 300\n' "$cg" "$TMP" > etc/alert
chmod 755 etc/alert
freeze_of() { cat tree/media.slice/player.service/cgroup.freeze; }
start_daemon
waitfor 30 '[ -s moved ]'
if grep -q "no cgroup of its own" log; then
        stop_daemon
        xargs kill < moved 2> /dev/null || true
        echo "skipped: dmabufd cannot create a cgroup for its hook here" >&2
        exit 77
fi
first=$(head -1 moved)
grep -q "^0::/$" /proc/$first/cgroup && echo "the hook left its cgroup for the root"
waitfor 60 'grep -q "killed at its time limit" log'
waitfor 5 '! kill -0 $first 2>/dev/null'
echo "the hook that left its cgroup is gone after its time limit"
waitfor 30 '[ "$(freeze_of)" = 1 ] && [ $(wc -l < moved) -gt 3 ]'
running=$(for p in $(cat moved); do kill -0 $p 2> /dev/null && echo $p; done; true)
[ -n "$running" ] && echo "hooks that left their cgroup run at SIGTERM"
t0=$(date +%s%N)
stop_daemon
t=$((($(date +%s%N) - t0) / 1000000))
[ $t -lt 4000 ] && echo "SIGTERM returned within 4 s" || echo "SIGTERM took $t ms"
echo "after SIGTERM: cgroup.freeze $(freeze_of)"
left=$(for p in $running; do kill -0 $p 2> /dev/null && echo $p; done; true)
[ -z "$left" ] && echo "none of them is left" || { echo "left running: $left"; kill $left; }
