# Issue 10, 8: runtime policy drop-ins of `dmabufctl run`. One whose run is
# gone and whose cgroup is empty, or gone, is stale: dmabufd removes it and
# starts. One whose run is gone but whose cgroup still has processes stays.
# One that claims a cgroup a configured policy claims is ignored with a
# warning naming both; dmabufd starts all the same. `dmabufctl run` removes
# stale ones too.
. "$SRC/tests/daemon/lib.sh"
setup_tree 'interval = 100ms\ngrace = 10min'
export DMABUFCTL_RUNTIME_DIR=$TMP/rt
mkdir -p rt/policies.d
sleep 600 & LIVE=$!
live_start=$(awk '{ sub(/.*\) /, ""); print $20 }' /proc/$LIVE/stat)
sh -c 'exit 0' & DEAD=$!; wait $DEAD
dropin() {      # dropin NAME OWNER-PID START CGROUP
        printf '# Written by dmabufctl run (pid %s); removed when its command exits.\n# owner: pid=%s start=%s\n[policy:run-%s]\ncgroup = %s\ndmabuf.max = 1048576\n' \
                "$2" "$2" "$3" "$1" "$4" > rt/policies.d/run-$1.conf
}
dropin stale $DEAD 1 /idle.slice
dropin gone $DEAD 1 /nope.slice
dropin busy $DEAD 1 /apps.slice/app-a.scope
dropin live $LIVE "$live_start" /user.slice
dropin collide $LIVE "$live_start" /system.slice/camera-hal.service
# The layered configuration (runtime drop-ins are read only there): the
# admin directory is etc/, no vendor one.
mkdir vendor
DMABUFCTL_PROC_ROOT=$FIX/proc-daemon DMABUFCTL_CONFIG_DIR=$TMP/etc DMABUFCTL_VENDOR_DIR=$TMP/vendor \
        "$DMABUFD" --root tree 2> log &
DAEMON=$!
trap 'kill "$DAEMON" 2> /dev/null || true' EXIT
waitfor 30 '[ -s run/metrics.prom ]'
kill -0 $DAEMON && echo "started"
echo "left:"; ls rt/policies.d
echo "policed by runtime policies:"; grep -o 'policy="run-[a-z]*"' run/metrics.prom | sort -u
grep -o 'removed [^:]*' log | sed "s|$TMP/||" | sort
grep -o 'runtime policy .*' log | sed "s|$TMP/||g"
stop_daemon
# dmabufctl run clears stale ones before it starts its command.
dropin stale2 $DEAD 1 /idle.slice
$DMABUFCTL --root tree --config etc/dmabufctl.conf run -- true 2>&1 | sed "s|$TMP/||g; s/run-[0-9]*$/run-PID/"
echo "left after run:"; ls rt/policies.d
kill $LIVE
