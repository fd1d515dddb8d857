"$FIX/instantiate-proc.sh" "$FIX/proc-buffers" p "$FIX/cgroup-basic"
export DMABUFCTL_SYSFS_ROOT=$FIX/sys-none DMABUFCTL_CGROUP_ROOT=$FIX/cgroup-basic
ino=$(stat -c %i p/500/fd/9)
"$DMABUFCTL" --proc-root p buffers --pid 320 --bytes
