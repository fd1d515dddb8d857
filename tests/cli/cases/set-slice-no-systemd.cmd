# Without systemd a slice is found by its name and its cgroup written.
cp -r "$FIX/cgroup-basic" tree
"$DMABUFCTL" --root tree set apps.slice --memory-max 1G
cat tree/apps.slice/memory.max
