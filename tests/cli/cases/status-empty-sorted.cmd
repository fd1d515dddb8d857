. "$FIX/make-cgroup-tree.sh"
cg t - - - 0
DMABUFCTL_SYSFS_ROOT=/nonexistent "$DMABUFCTL" --root t --config "$FIX/empty.conf" status --sort dmabuf --json
DMABUFCTL_SYSFS_ROOT=/nonexistent "$DMABUFCTL" --root t --config "$FIX/empty.conf" status --sort current
