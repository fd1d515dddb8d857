# set writes and reads back; a value already in force is reported unchanged.
cp -r "$FIX/cgroup-basic" tree
"$DMABUFCTL" --root tree set apps.slice/app-a.scope --memory-max 100M --memory-high 90M
echo "max $(cat tree/apps.slice/app-a.scope/memory.max) high $(cat tree/apps.slice/app-a.scope/memory.high)"
"$DMABUFCTL" --root tree set /apps.slice/app-a.scope --memory-max 100M
"$DMABUFCTL" --root tree set /apps.slice/app-a.scope --memory-max max --bytes
