# Mainline 7.x without the series: mem_accounting on, no dmabuf key.
DMABUFCTL_SYSFS_ROOT=$FIX/sys-on "$DMABUFCTL" --root "$FIX/cgroup-nodmabuf" --config "$FIX/basic.conf" status
