DMABUFCTL_SYSFS_ROOT=$FIX/sys-none "$DMABUFCTL" --root "$FIX/cgroup-nodmabuf" --config "$FIX/basic.conf" status --json
