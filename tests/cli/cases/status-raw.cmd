# -r: one blank between cells, no alignment; blanks, backslashes and
# non-ASCII in a cell escaped (as lsblk -r), so a script splits on blanks
. "$FIX/make-cgroup-tree.sh"
cg t - - - 0
cg "t/with space.scope" 4096 max max 1048576
cg 't/back\slash.scope' 4096 max max 1048576
cg "t/caf$(printf '\xc3\xa9').scope" 4096 max max 1048576
DMABUFCTL_SYSFS_ROOT=$FIX/sys-on "$DMABUFCTL" --root t --config "$FIX/empty.conf" status -r
DMABUFCTL_SYSFS_ROOT=$FIX/sys-on "$DMABUFCTL" --root t --config "$FIX/empty.conf" status -rn -o CGROUP,DMABUF --bytes
