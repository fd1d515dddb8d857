cp -r "$FIX/cgroup-basic" t
echo "12x4" > t/apps.slice/app-b.scope/memory.current
printf 'anon 1\ndmabuf 18446744073709551616\n' > t/system.slice/sshd.service/memory.stat
DMABUFCTL_SYSFS_ROOT=$FIX/sys-on "$DMABUFCTL" --root t --config "$FIX/empty.conf" status --all --bytes
