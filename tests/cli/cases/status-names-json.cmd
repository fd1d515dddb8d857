. "$FIX/make-cgroup-tree.sh"
cg t - - - 0
cg "t/with space.scope" 4096 max max 1048576
cg 't/q"uote.scope' 4096 max max 1048576
cg 't/back\slash.scope' 4096 max max 1048576
cg "t/caf$(printf '\xc3\xa9').scope" 4096 max max 1048576
cg "t/bad$(printf '\xff').scope" 4096 max max 1048576
cg "t/tab$(printf '\t')name.scope" 4096 max max 1048576
DMABUFCTL_SYSFS_ROOT=$FIX/sys-on "$DMABUFCTL" --root t --config "$FIX/empty.conf" status --json
