printf '[policy:x]\ncgroup = /a\nmemory.max = lots\n' > bad.conf
"$DMABUFCTL" --root "$FIX/cgroup-basic" --config bad.conf apply
