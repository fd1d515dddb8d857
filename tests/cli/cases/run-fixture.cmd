# run creates the cgroup with its budget, the command is in it before exec
# (its pid in cgroup.procs), its exit status comes back, the cgroup goes.
cp -r "$FIX/cgroup-basic" tree
"$DMABUFCTL" --root tree --config "$FIX/budgets.conf" run --memory-max 64M --name job -- \
        sh -c 'echo "max $(cat tree/dmabufctl.slice/job/memory.max)"; [ "$(cat tree/dmabufctl.slice/job/cgroup.procs)" = $$ ] && echo "in its cgroup"; exit 3' || echo "rc $?"
[ -e tree/dmabufctl.slice/job ] || echo "cgroup removed"
cat tree/dmabufctl.slice/cgroup.subtree_control 2>/dev/null || true
