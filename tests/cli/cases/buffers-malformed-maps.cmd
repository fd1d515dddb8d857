"$FIX/instantiate-proc.sh" "$FIX/proc-buffers" p "$FIX/cgroup-basic"
export DMABUFCTL_SYSFS_ROOT=$FIX/sys-none DMABUFCTL_CGROUP_ROOT=$FIX/cgroup-basic
ino=$(stat -c %i p/500/fd/9)
echo "7f0000000000-7f0000300000 rw-s 00000000 00:0f" >> p/400/maps
"$DMABUFCTL" --proc-root "$TMP/p" buffers
