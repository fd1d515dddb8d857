"$DMABUFCTL" --root "$FIX/cgroup-basic" --config "$FIX/basic.conf" top -b -n 1 /apps.slice
