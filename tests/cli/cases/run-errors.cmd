cp -r "$FIX/cgroup-basic" tree
"$DMABUFCTL" --root tree --config "$FIX/budgets.conf" run || echo "rc $?"
"$DMABUFCTL" --root tree --config "$FIX/budgets.conf" run --memory-max x -- true || echo "rc $?"
"$DMABUFCTL" --root tree --config "$FIX/budgets.conf" run --dmabuf-max max -- true || echo "rc $?"
"$DMABUFCTL" --root tree --config "$FIX/budgets.conf" run --name a/b -- true || echo "rc $?"
"$DMABUFCTL" --root tree --config "$FIX/budgets.conf" run --slice nope -- true || echo "rc $?"
"$DMABUFCTL" --root tree --config "$FIX/budgets.conf" run --name x -- /nonexistent/cmd || echo "rc $?"
[ -e tree/dmabufctl.slice/x ] || echo "cgroup removed"
mkdir -p tree/dmabufctl.slice/taken
"$DMABUFCTL" --root tree --config "$FIX/budgets.conf" run --name taken -- true || echo "rc $?"
