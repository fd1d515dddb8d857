# memory.max and memory.high take N% of physical memory (MemTotal of the
# --proc-root's meminfo): the resolved bytes are written, and said.
cp -r "$FIX/cgroup-basic" t
mkdir p
printf 'MemTotal:        8388608 kB\nMemFree:          100000 kB\n' > p/meminfo
"$DMABUFCTL" --root t --proc-root p set /apps.slice/app-a.scope --memory-max 50% --memory-high 37.5% --bytes
cat t/apps.slice/app-a.scope/memory.max t/apps.slice/app-a.scope/memory.high
# fractions and several units, as systemd's MemoryMax= takes them
"$DMABUFCTL" --root t set /apps.slice/app-b.scope --memory-max 1.5G --memory-high '1G 512M'
"$DMABUFCTL" --root t set /apps.slice/app-b.scope --memory-max infinity
# a percentage where physical memory cannot be told, and where none is taken
rm p/meminfo
"$DMABUFCTL" --root t --proc-root p set /apps.slice/app-a.scope --memory-max 10% || echo "rc=$?"
"$DMABUFCTL" --root t run --dmabuf-max 10% -- true || echo "rc=$?"
"$DMABUFCTL" --root t set /apps.slice/app-a.scope --memory-max 101% || echo "rc=$?"
"$DMABUFCTL" --root t set /apps.slice/app-a.scope --memory-max '3B 3G' || echo "rc=$?"
# a blank between components: 1E3 is no scientific notation, nor 1E and 3 bytes
"$DMABUFCTL" --root t set /apps.slice/app-a.scope --memory-max 1E3 || echo "rc=$?"
"$DMABUFCTL" --root t set /apps.slice/app-a.scope --memory-max 1G512M || echo "rc=$?"
