# Thousands of cgroups created and removed while the daemon runs: it follows
# them (no rescan), does not crash, and its fd count and RSS stay flat.
. "$SRC/tests/daemon/lib.sh"
# In a sanitizer build, ASan keeps freed memory in quarantine (256 MiB):
# RSS would grow by design. Keep the quarantine small.
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=1
setup_tree 'interval = 100ms\ngrace = 10min'
printf '\n[policy:churn]\ncgroup = /churn.slice/*\ndmabuf.max = 1M\n' >> etc/dmabufctl.conf
mkdir tree/churn.slice
start_daemon
waitfor 30 '[ -s run/metrics.prom ]'
cycle() {
        for i in $(seq 1 1000); do
                mkdir tree/churn.slice/c$i.scope
                printf 'dmabuf 4096\n' > tree/churn.slice/c$i.scope/memory.stat
                printf '4096\n' > tree/churn.slice/c$i.scope/memory.current
        done
        waitfor 60 'grep -q "cgroup=\"/churn.slice/c1000.scope\"" run/metrics.prom'
        rm -rf tree/churn.slice/*
        waitfor 60 '! grep -q "churn.slice/c" run/metrics.prom'
}
usage() { echo "$(ls /proc/$DAEMON/fd | wc -l) $(sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p' /proc/$DAEMON/status)"; }
cycle
read fd1 rss1 <<< "$(usage)"
cycle; cycle; cycle
read fd2 rss2 <<< "$(usage)"
[ "$fd2" -le "$fd1" ] && echo "fd count flat" || echo "fd count grew: $fd1 -> $fd2"
[ "$rss2" -le $((rss1 + 1024)) ] && echo "RSS flat" || echo "RSS grew: $rss1 -> $rss2 kB"
kill -0 $DAEMON && echo "still running"
stop_daemon
