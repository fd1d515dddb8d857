need_root
# A root the user may not search is EACCES, not "no cgroup2 hierarchy".
chmod 755 "$TMP"
mkdir t && echo memory > t/cgroup.controllers && chmod 744 t
cp "$DMABUFCTL" ./dmabufctl && chmod a+rx dmabufctl
setpriv --reuid=65534 --regid=65534 --clear-groups ./dmabufctl --root "$TMP/t" status
