# Every bad target or value: one line naming what and why.
cp -r "$FIX/cgroup-basic" tree
"$DMABUFCTL" --root tree set /nope --memory-max 1G || echo "rc $?"
"$DMABUFCTL" --root tree set / --memory-max 1G || echo "rc $?"
"$DMABUFCTL" --root tree set /apps.slice/app-c.scope --memory-max 1G || echo "rc $?"
"$DMABUFCTL" --root tree set camera.service --memory-max 1G || echo "rc $?"
"$DMABUFCTL" --root tree set /apps.slice/app-a.scope --memory-max 12Q || echo "rc $?"
"$DMABUFCTL" --root tree set /apps.slice/app-a.scope --memory-max 99999999999T || echo "rc $?"
"$DMABUFCTL" --root tree set /apps.slice/app-a.scope || echo "rc $?"
"$DMABUFCTL" --root tree set --memory-max 1G || echo "rc $?"
"$DMABUFCTL" --root tree set /a /b --memory-max 1G || echo "rc $?"
"$DMABUFCTL" --root tree set ../etc --memory-max 1G || echo "rc $?"
mkdir -p tree/broken && echo lots > tree/broken/memory.max
"$DMABUFCTL" --root tree set /broken --memory-max 1G || echo "rc $?"
