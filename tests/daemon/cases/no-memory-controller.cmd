mkdir nomem && echo "pids" > nomem/cgroup.controllers
$DMABUFD --once --root nomem --config $FIX/daemon.conf
