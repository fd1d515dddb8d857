# an unknown column is a usage error that names it
DMABUFCTL_SYSFS_ROOT=$FIX/sys-on "$DMABUFCTL" --root "$FIX/cgroup-basic" --config "$FIX/basic.conf" status -o CGROUP,BOGUS
