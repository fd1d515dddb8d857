need_root
# As nobody, on copies it can reach (the checkout may sit in a private dir).
chmod 755 "$TMP"
cp -r "$FIX/cgroup-basic" cg
cp "$DMABUFCTL" ./dmabufctl
"$FIX/instantiate-proc.sh" "$FIX/proc-buffers" p "$TMP/cg"
export DMABUFCTL_SYSFS_ROOT=$FIX/sys-none DMABUFCTL_CGROUP_ROOT=$TMP/cg
chmod -R a+rX p cg dmabufctl
chmod 700 p/210/fdinfo p/500/fdinfo
setpriv --reuid=65534 --regid=65534 --clear-groups ./dmabufctl --root "$TMP/cg" --proc-root p buffers --bytes
