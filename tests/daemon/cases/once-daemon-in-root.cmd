# dmabufd living in the root cgroup (no systemd, or a container without a
# cgroup namespace) protects only the root: the cgroup that would be its
# own by name is acted on like any other.
mkdir -p proc/self
echo '0::/' > proc/self/cgroup
DMABUFCTL_PROC_ROOT=proc $DMABUFD --once --root $FIX/cgroup-daemon --config $FIX/daemon.conf
