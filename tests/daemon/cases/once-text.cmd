# Every kind of decision once: over/warn/ok, the busiest child of a slice,
# and the never-act list (root, init.scope, own cgroup, a protect glob).
DMABUFCTL_PROC_ROOT=$FIX/proc-daemon $DMABUFD --once --root $FIX/cgroup-daemon --config $FIX/daemon.conf
