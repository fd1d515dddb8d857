"$DMABUFCTL" --root "$FIX/cgroup-basic" --config "$FIX/basic.conf" top -d 5x
