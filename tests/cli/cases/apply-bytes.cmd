cp -r "$FIX/cgroup-basic" tree
"$DMABUFCTL" --root tree --config "$FIX/budgets.conf" apply --dry-run --bytes
