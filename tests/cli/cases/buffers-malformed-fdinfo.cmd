# One malformed fdinfo (no kernel writes "3M") skips that buffer with a
# note; every other buffer is still reported and the run succeeds.
"$FIX/instantiate-proc.sh" "$FIX/proc-buffers" p "$FIX/cgroup-basic"
rm p/500/fdinfo/9
printf "size:\t3M\ncount:\t1\nexp_name:\tsystem\n" > p/320/fdinfo/3
DMABUFCTL_SYSFS_ROOT=$FIX/sys-none "$DMABUFCTL" --root "$FIX/cgroup-basic" --proc-root p buffers
