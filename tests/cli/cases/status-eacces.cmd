need_root
# As an unprivileged user, on a copy it can reach (the checkout may not be).
chmod 755 "$TMP"
cp -r "$FIX/cgroup-basic" t
chmod 000 t/apps.slice/app-a.scope/memory.stat
cp "$DMABUFCTL" ./dmabufctl
: > empty.conf
chmod -R a+rX t empty.conf dmabufctl
chmod 000 t/apps.slice/app-a.scope/memory.stat
DMABUFCTL_SYSFS_ROOT=/nonexistent setpriv --reuid=65534 --regid=65534 --clear-groups ./dmabufctl --root "$TMP/t" --config "$TMP/empty.conf" status --all --bytes
