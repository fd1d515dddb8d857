"$FIX/instantiate-proc.sh" "$FIX/proc-buffers" p "$FIX/cgroup-basic"
# without the fd whose inode (the file's) differs from checkout to checkout: buffers-json has it
rm p/500/fdinfo/9
DMABUFCTL_SYSFS_ROOT=$FIX/sys-none "$DMABUFCTL" --root "$FIX/cgroup-basic" --proc-root p buffers
