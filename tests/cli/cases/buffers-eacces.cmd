need_root
"$FIX/instantiate-proc.sh" "$FIX/proc-buffers" p "$FIX/cgroup-basic"
export DMABUFCTL_SYSFS_ROOT=$FIX/sys-none DMABUFCTL_CGROUP_ROOT=$FIX/cgroup-basic
ino=$(stat -c %i p/500/fd/9)
chmod 755 "$TMP"; chmod -R a+rX p
chmod 700 p/210/fdinfo p/500/fdinfo
setpriv --reuid=65534 --regid=65534 --clear-groups "$DMABUFCTL" --root "$FIX/cgroup-basic" --proc-root p buffers --bytes
