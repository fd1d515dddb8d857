# Issue 10, 7: out of inotify watches, dmabufd goes on. The daemon runs in a
# user namespace of its own whose inotify watch limit
# (/proc/sys/user/max_inotify_watches, the per-namespace form of
# fs.inotify.max_user_watches) is below what the tree needs, so the test
# starves no other process of this host. Cgroups come and go: it says so
# once, naming the sysctl, never exits, and every policed cgroup stays
# policed (in the metrics; the one over its budget is killed).
. "$SRC/tests/daemon/lib.sh"
unshare --user --map-root-user true 2> /dev/null || { echo "skipped: no user namespaces" >&2; exit 77; }
setup_tree 'interval = 100ms\ngrace = 300ms\ncooldown = 10min'
printf '\n[policy:churn]\ncgroup = /churn.slice/*\ndmabuf.max = 1M\naction = kill\n' >> etc/dmabufctl.conf
mkdir tree/churn.slice
DMABUFCTL_PROC_ROOT=$FIX/proc-daemon unshare --user --map-root-user \
        sh -c 'echo 14 > /proc/sys/user/max_inotify_watches && exec "$0" "$@"' \
        "$DMABUFD" --root tree --config etc/dmabufctl.conf 2> log &
DAEMON=$!
trap 'kill "$DAEMON" 2> /dev/null || true' EXIT
waitfor 30 '[ -s run/metrics.prom ]'
for round in 1 2; do
        for i in $(seq 1 60); do
                # Made beside it and moved in: cgroupfs shows a new cgroup
                # with its files at once.
                mkdir new
                printf 'dmabuf 4096\n' > new/memory.stat
                printf '4096\n' > new/memory.current
                printf 'low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\noom_group_kill 0\n' > new/memory.events
                echo $((2000 + i)) > new/cgroup.procs
                : > new/cgroup.kill
                mv new tree/churn.slice/c$i.scope
        done
        waitfor 60 '[ "$(grep -c "^dmabufd_cgroup_dmabuf_bytes{cgroup=\"/churn.slice/c" run/metrics.prom)" = 60 ]'
        echo "round $round: all 60 policed"
        printf 'dmabuf 4194304\n' > tree/churn.slice/c42.scope/memory.stat
        waitfor 30 '[ -s tree/churn.slice/c42.scope/cgroup.kill ]'
        echo "round $round: the one over its budget killed"
        rm -rf tree/churn.slice/*
        waitfor 60 '! grep -q "churn.slice/c" run/metrics.prom'
        echo "round $round: all gone from the metrics"
done
kill -0 $DAEMON && echo "still running"
stop_daemon
# Once per shortage, and once when it is over.
grep -Eo 'out of inotify watches at [^ ]* \(fs.inotify.max_user_watches\)|inotify watches are available again' log |
        sed 's/at [^ ]* (/at X (/'
echo "exits or fatal errors: $(grep -c 'event loop\|cannot watch the cgroup tree' log)"
