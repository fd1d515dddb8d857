# memory.current is a figure: "max" there is malformed, not 2^64-1.
. "$FIX/make-cgroup-tree.sh"
cg t - - - 0
cg t/a.scope max max max 0
DMABUFCTL_SYSFS_ROOT=$FIX/sys-on "$DMABUFCTL" --root t --config "$FIX/empty.conf" status --all
