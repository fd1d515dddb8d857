# top takes -o, --noheadings (-n counts refreshes) and -r; --sort orders
# the rows by dmabuf, current, name or rss
DMABUFCTL_SYSFS_ROOT=$FIX/sys-on "$DMABUFCTL" --root "$FIX/cgroup-basic" --config "$FIX/basic.conf" top -b -n 1 -o CGROUP,DMABUF,CHANGE --noheadings
DMABUFCTL_SYSFS_ROOT=$FIX/sys-on "$DMABUFCTL" --root "$FIX/cgroup-basic" --config "$FIX/basic.conf" top -b -n 1 --sort current -o cgroup,current
DMABUFCTL_SYSFS_ROOT=$FIX/sys-on "$DMABUFCTL" --root "$FIX/cgroup-basic" --config "$FIX/basic.conf" top -b -n 1 --sort name -r -o CGROUP
"$FIX/instantiate-proc.sh" "$FIX/proc-buffers" pr "$FIX/cgroup-basic"
rm pr/500/fdinfo/9      # its inode differs from checkout to checkout (see buffers-text)
DMABUFCTL_PROC_ROOT=pr DMABUFCTL_SYSFS_ROOT=$FIX/sys-on "$DMABUFCTL" --root "$FIX/cgroup-basic" --config "$FIX/basic.conf" top -b -n 1 --sort rss -o CGROUP,RSS,DMABUF
DMABUFCTL_SYSFS_ROOT=$FIX/sys-on "$DMABUFCTL" --root "$FIX/cgroup-basic" --config "$FIX/basic.conf" top -b -n 1 --sort pss || echo "rc=$?"
