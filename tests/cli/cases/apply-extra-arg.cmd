"$DMABUFCTL" --root "$FIX/cgroup-basic" --config "$FIX/basic.conf" apply /foo
