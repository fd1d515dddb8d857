# -o applies to each of the three tables; a table without any of the
# named columns is left out; -n and -r as for status.
"$FIX/instantiate-proc.sh" "$FIX/proc-buffers" pr "$FIX/cgroup-basic"
rm pr/500/fdinfo/9      # its inode differs from checkout to checkout (see buffers-text)
p="$DMABUFCTL --proc-root pr"
DMABUFCTL_SYSFS_ROOT=$FIX/sys-none $p --root $FIX/cgroup-basic buffers -o PID,COMM,RSS
echo ---
DMABUFCTL_SYSFS_ROOT=$FIX/sys-none $p --root $FIX/cgroup-basic buffers -o inode,size,pid -n
echo ---
DMABUFCTL_SYSFS_ROOT=$FIX/sys-none $p --root $FIX/cgroup-basic buffers -r -o CGROUP,CHARGED --bytes
echo ---
DMABUFCTL_SYSFS_ROOT=$FIX/sys-none $p --root $FIX/cgroup-basic buffers -o WHY || echo "rc=$?"
