# Double-width characters take two columns: alignment and cutting count
# them right (a UTF-8 locale; in the C locale they are escaped).
. "$FIX/make-cgroup-tree.sh"
cg t - - - 0
cg "t/$(printf '\xe6\xbc\xa2\xe5\xad\x97').slice" 8192 max max 2097152
cg "t/$(printf '\xe6\xbc\xa2\xe5\xad\x97').slice/app-$(printf '\xe5\x86\x99\xe7\x9c\x9f\xe5\x86\x99\xe7\x9c\x9f').scope" 4096 max max 1048576
cg "t/$(printf '\xe6\xbc\xa2\xe5\xad\x97').slice/caf$(printf '\xc3\xa9').scope" 4096 max max 1048576
export LC_ALL=C.UTF-8
DMABUFCTL_SYSFS_ROOT=$FIX/sys-on "$DMABUFCTL" --root t --config "$FIX/empty.conf" status
on_tty env COLUMNS=45 DMABUFCTL_SYSFS_ROOT=$FIX/sys-on "$DMABUFCTL" --root t --config "$FIX/empty.conf" status
