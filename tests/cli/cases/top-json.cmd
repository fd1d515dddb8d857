# one frame as one compact JSON line; rss from the (fixture) proc root
"$FIX/instantiate-proc.sh" "$FIX/proc-buffers" pr "$FIX/cgroup-basic"
rm pr/500/fdinfo/9      # its inode differs from checkout to checkout (see buffers-text)
DMABUFCTL_PROC_ROOT=pr DMABUFCTL_SYSFS_ROOT=$FIX/sys-on "$DMABUFCTL" --root "$FIX/cgroup-basic" --config "$FIX/basic.conf" top -n 1 --json --bytes
