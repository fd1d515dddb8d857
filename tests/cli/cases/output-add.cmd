# -o +LIST adds columns to the defaults, as lsblk and findmnt take it: each
# shown once (a default named again is not repeated); plain -o LIST still
# shows a column as often as it is named, and a long list of them is fine.
export DMABUFCTL_SYSFS_ROOT=$FIX/sys-on
"$FIX/instantiate-proc.sh" "$FIX/proc-buffers" pr "$FIX/cgroup-basic"
"$DMABUFCTL" --root "$FIX/cgroup-basic" --proc-root pr --config "$FIX/basic.conf" top -b -n 1 -o +RSS
cp -r "$FIX/cgroup-basic" t
"$DMABUFCTL" --root t --config "$FIX/budgets.conf" apply --dry-run -o +policy,target
"$DMABUFCTL" --root "$FIX/cgroup-basic" --config "$FIX/basic.conf" status -o +state /apps.slice/app-a.scope
"$DMABUFCTL" --root "$FIX/cgroup-basic" --config "$FIX/basic.conf" status -o cgroup,state,cgroup /apps.slice/app-a.scope
"$DMABUFCTL" --root "$FIX/cgroup-basic" --config "$FIX/basic.conf" status -n -o "$(printf 'state,%.0s' $(seq 40))cgroup" /apps.slice/app-a.scope | wc -w
# errors
"$DMABUFCTL" --root "$FIX/cgroup-basic" --config "$FIX/basic.conf" status -o + || echo "rc=$?"
"$DMABUFCTL" --root "$FIX/cgroup-basic" --config "$FIX/basic.conf" status -o +RSS || echo "rc=$?"
"$DMABUFCTL" --root "$FIX/cgroup-basic" --config "$FIX/basic.conf" status -o CGROUP,+STATE || echo "rc=$?"
