DMABUFCTL_PROC_ROOT=$FIX/proc-daemon $DMABUFD --once --json --root $FIX/cgroup-daemon --config $FIX/daemon.conf
