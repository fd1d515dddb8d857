# Mainline 7.x without the series and with mem_accounting off.
DMABUFCTL_SYSFS_ROOT=$FIX/sys-off "$DMABUFCTL" --root "$FIX/cgroup-nodmabuf" --config "$FIX/basic.conf" status
