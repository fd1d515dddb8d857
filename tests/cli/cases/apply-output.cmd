# apply --dry-run: -o (POLICY only when asked), -n, -r
cp -r "$FIX/cgroup-basic" tree
"$DMABUFCTL" --root tree --config "$FIX/budgets.conf" apply --dry-run -o TARGET,KEY,NEW,POLICY -n
"$DMABUFCTL" --root tree --config "$FIX/budgets.conf" apply --dry-run -r --bytes 2>/dev/null
"$DMABUFCTL" --root tree --config "$FIX/budgets.conf" apply --output help
