need_root
# A cgroup a user named with a terminal sequence (OSC: set the window title)
# and made unreadable: the error line names it escaped, like the table does.
chmod 755 "$TMP"
cp -r "$FIX/cgroup-basic" t
mv t/apps.slice/app-a.scope "t/apps.slice/$(printf 'e\033]0;PWNED\007x')"
cp "$DMABUFCTL" ./dmabufctl
: > empty.conf
chmod -R a+rX t empty.conf dmabufctl
chmod 000 t/apps.slice/e*/memory.stat
DMABUFCTL_SYSFS_ROOT=/nonexistent setpriv --reuid=65534 --regid=65534 --clear-groups ./dmabufctl --root "$TMP/t" --config "$TMP/empty.conf" status --all --bytes > /dev/null
