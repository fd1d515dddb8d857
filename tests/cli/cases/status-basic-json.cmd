DMABUFCTL_SYSFS_ROOT=$FIX/sys-on "$DMABUFCTL" status --root "$FIX/cgroup-basic" --config "$FIX/basic.conf" --json
