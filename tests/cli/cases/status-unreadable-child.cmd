need_root
# A cgroup directory the user cannot open: reported, its subtree skipped,
# the rest shown, exit 1.
chmod 755 "$TMP"
cp -r "$FIX/cgroup-basic" t
cp "$DMABUFCTL" ./dmabufctl
: > empty.conf
chmod -R a+rX t empty.conf dmabufctl
chmod 700 t/system.slice
DMABUFCTL_SYSFS_ROOT=/nonexistent setpriv --reuid=65534 --regid=65534 --clear-groups ./dmabufctl --root "$TMP/t" --config "$TMP/empty.conf" status --all
