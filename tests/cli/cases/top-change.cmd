# a frame, then app-b's dmabuf grows by 1M before the second: the change shows
cp -r "$FIX/cgroup-basic" t
: > frames      # exists before the grep below looks, whoever runs first
DMABUFCTL_SYSFS_ROOT=$FIX/sys-on "$DMABUFCTL" --root t --config "$FIX/basic.conf" top -b -n 2 -d 2s >> frames &
for _ in $(seq 200); do grep -q app-b frames && break; sleep 0.05; done
sed -i "s/^dmabuf .*/dmabuf $((5 * 1024 * 1024))/" t/apps.slice/app-b.scope/memory.stat
wait $!
grep -E '^(CGROUP|/apps.slice/app-b.scope)' frames
