DMABUFCTL_SYSFS_ROOT=$FIX/sys-on "$DMABUFCTL" --root "$FIX/cgroup-basic" --config "$FIX/basic.conf" status -o CGROUP,,STATE
