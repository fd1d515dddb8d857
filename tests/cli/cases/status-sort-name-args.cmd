DMABUFCTL_SYSFS_ROOT=$FIX/sys-on "$DMABUFCTL" --root "$FIX/cgroup-basic" --config "$FIX/empty.conf" status --sort name /system.slice /apps.slice /init.scope
