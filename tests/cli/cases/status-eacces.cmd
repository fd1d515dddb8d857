cp -r "$FIX/cgroup-basic" t
chmod 755 "$TMP"
chmod 000 t/apps.slice/app-a.scope/memory.stat
DMABUFCTL_SYSFS_ROOT=$FIX/sys-on setpriv --reuid=65534 --regid=65534 --clear-groups "$DMABUFCTL" --root "$TMP/t" --config "$FIX/empty.conf" status --all --bytes
