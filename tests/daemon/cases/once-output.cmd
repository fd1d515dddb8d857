# --once takes -o, -n and -r as the dmabufctl tables do; an unknown column
# is a usage error, and the options only go with --once.
D="$DMABUFD --once --root $FIX/cgroup-daemon --config $FIX/daemon.conf"
export DMABUFCTL_PROC_ROOT=$FIX/proc-daemon
$D -o CGROUP,ACTION,TARGET -n
$D -r -o cgroup,state,why
on_tty env COLUMNS=60 $D -o CGROUP,ACTION,WHY
COLUMNS=60 $D -o CGROUP,ACTION,WHY | cat       # a pipe: never cut
$D --output help
$D -o CGROUP,LIMITS || echo "rc=$?"
$DMABUFD --root $FIX/cgroup-daemon --config $FIX/daemon.conf -n || echo "rc=$?"
