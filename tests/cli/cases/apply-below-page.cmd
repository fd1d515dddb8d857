# apply refuses a policy whose budget resolves below one page (0%, a
# percentage of too little memory), before the first write, dry run or not;
# one below a cgroup's memory.current is written and said.
cp -r "$FIX/cgroup-basic" t
mkdir p
printf 'MemTotal:        4194304 kB\n' > p/meminfo
cat > c.conf <<'CONF'
[policy:apps]
cgroup = /apps.slice/app-a.scope
memory.max = 1G
[policy:camera]
cgroup = /system.slice/camera-hal.service
memory.max = 0%
CONF
before=$(cat t/apps.slice/app-a.scope/memory.max t/system.slice/camera-hal.service/memory.max)
"$DMABUFCTL" --root t --proc-root p --config c.conf apply --dry-run || echo "rc=$?"
"$DMABUFCTL" --root t --proc-root p --config c.conf apply || echo "rc=$?"
sed -i 's/^memory.max = 0%/memory.max = 0/' c.conf
"$DMABUFCTL" --root t --proc-root p --config c.conf apply || echo "rc=$?"
[ "$(cat t/apps.slice/app-a.scope/memory.max t/system.slice/camera-hal.service/memory.max)" = "$before" ] && echo "nothing written"
sed -i 's/^memory.max = 0$/memory.max = 1M/' c.conf
"$DMABUFCTL" --root t --proc-root p --config c.conf apply
