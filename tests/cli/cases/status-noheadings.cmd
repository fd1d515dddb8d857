DMABUFCTL_SYSFS_ROOT=$FIX/sys-on "$DMABUFCTL" --root "$FIX/cgroup-basic" --config "$FIX/basic.conf" status -n -o CGROUP,DMABUF
DMABUFCTL_SYSFS_ROOT=$FIX/sys-on "$DMABUFCTL" --root "$FIX/cgroup-basic" --config "$FIX/basic.conf" status --noheadings --sort dmabuf
