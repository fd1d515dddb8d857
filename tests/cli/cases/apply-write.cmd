# apply writes every change, prints old -> new, and a second run has nothing to do.
cp -r "$FIX/cgroup-basic" tree
"$DMABUFCTL" --root tree --config "$FIX/budgets.conf" apply
for f in system.slice/camera-hal.service apps.slice/app-a.scope apps.slice/app-b.scope \
         system.slice/compositor.service apps.slice; do
        echo "$f: max $(cat tree/$f/memory.max) high $(cat tree/$f/memory.high)"
done
"$DMABUFCTL" --root tree --config "$FIX/budgets.conf" apply
