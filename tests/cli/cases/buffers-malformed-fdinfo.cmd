"$FIX/instantiate-proc.sh" "$FIX/proc-buffers" p "$FIX/cgroup-basic"
export DMABUFCTL_SYSFS_ROOT=$FIX/sys-none DMABUFCTL_CGROUP_ROOT=$FIX/cgroup-basic
ino=$(stat -c %i p/500/fd/9)
printf "size:\t3M\ncount:\t1\nexp_name:\tsystem\n" > p/320/fdinfo/3
"$DMABUFCTL" --proc-root "$TMP/p" buffers
