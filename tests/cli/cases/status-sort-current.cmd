DMABUFCTL_SYSFS_ROOT=$FIX/sys-on DMABUFCTL_CGROUP_ROOT="$FIX/cgroup-basic" "$DMABUFCTL" --config "$FIX/basic.conf" status --all --sort current
