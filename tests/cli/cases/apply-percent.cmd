# A policy's memory.max / memory.high as N% of physical memory: apply writes
# the bytes it stands for and says how it got them.
cp -r "$FIX/cgroup-basic" t
mkdir p
printf 'MemTotal:        4194304 kB\n' > p/meminfo
cat > c.conf <<'CONF'
[policy:camera]
cgroup = /system.slice/camera-hal.service
memory.max = 25%
memory.high = 12.5%
CONF
"$DMABUFCTL" --root t --proc-root p --config c.conf apply --dry-run
"$DMABUFCTL" --root t --proc-root p --config c.conf apply
cat t/system.slice/camera-hal.service/memory.max t/system.slice/camera-hal.service/memory.high
rm p/meminfo
"$DMABUFCTL" --root t --proc-root p --config c.conf apply || echo "rc=$?"
