"$DMABUFCTL" --root "$FIX/cgroup-basic" --config "$FIX/basic.conf" top -n 0
