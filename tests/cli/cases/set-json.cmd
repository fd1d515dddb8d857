cp -r "$FIX/cgroup-basic" tree
"$DMABUFCTL" --root tree --json set /system.slice/sshd.service --memory-max 1G --memory-high 768M
