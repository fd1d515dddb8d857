. "$FIX/make-cgroup-tree.sh"
cg t - - - 0
cg t/huge.scope 18446744073709551615 18446744073709551614 max 18446744073709551615
DMABUFCTL_SYSFS_ROOT=$FIX/sys-on "$DMABUFCTL" --root t --config "$FIX/empty.conf" status --json
DMABUFCTL_SYSFS_ROOT=$FIX/sys-on "$DMABUFCTL" --root t --config "$FIX/empty.conf" status --bytes
