DMABUFCTL_SYSFS_ROOT=$FIX/sys-off "$DMABUFCTL" --root "$FIX/cgroup-basic" --config "$FIX/basic.conf" status
