# -o picks the columns and their order (names case-insensitive)
DMABUFCTL_SYSFS_ROOT=$FIX/sys-on "$DMABUFCTL" --root "$FIX/cgroup-basic" --config "$FIX/basic.conf" status -o CGROUP,DMABUF,STATE
DMABUFCTL_SYSFS_ROOT=$FIX/sys-on "$DMABUFCTL" --root "$FIX/cgroup-basic" --config "$FIX/basic.conf" status --output=state,cgroup /apps.slice/app-a.scope
