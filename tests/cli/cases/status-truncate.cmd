# On a narrow terminal ($COLUMNS) the CGROUP column is cut from the left,
# keeping the leaf; the figures are never cut. A pipe is never cut, whatever
# $COLUMNS says.
. "$FIX/make-cgroup-tree.sh"
cg t - - - 0
cg t/user.slice 8192 max max 2097152
cg t/user.slice/user-1000.slice 8192 max max 2097152
cg t/user.slice/user-1000.slice/user@1000.service 8192 max max 2097152
cg t/user.slice/user-1000.slice/user@1000.service/app.slice 8192 max max 2097152
cg t/user.slice/user-1000.slice/user@1000.service/app.slice/app-org.gnome.Nautilus-4242.scope 4096 max max 1048576
for w in 60 40; do
        echo "COLUMNS=$w"
        on_tty env COLUMNS=$w DMABUFCTL_SYSFS_ROOT=$FIX/sys-on "$DMABUFCTL" --root t --config "$FIX/empty.conf" status
done
echo "COLUMNS=60, raw: never cut"
on_tty env COLUMNS=60 DMABUFCTL_SYSFS_ROOT=$FIX/sys-on "$DMABUFCTL" --root t --config "$FIX/empty.conf" status -r -o CGROUP
echo "COLUMNS=40, a pipe: never cut"
COLUMNS=40 DMABUFCTL_SYSFS_ROOT=$FIX/sys-on "$DMABUFCTL" --root t --config "$FIX/empty.conf" status -o CGROUP | cat
COLUMNS=40 DMABUFCTL_SYSFS_ROOT=$FIX/sys-on "$DMABUFCTL" --root t --config "$FIX/empty.conf" top -b -n 1 -o CGROUP | cat
