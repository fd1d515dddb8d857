DMABUFCTL_SYSFS_ROOT=$FIX/sys-on "$DMABUFCTL" --root "$FIX/cgroup-basic" --config "$FIX/basic.conf" status apps.slice/app-a.scope /system.slice//camera-hal.service/ /apps.slice/app-c.scope
