# A budget below one page (0%, a percentage of little memory, 0, 100) would
# leave no process room to run: on a live slice memory.max 0 OOM-kills every
# session at once. It is refused, nothing is written (memory.high included,
# though given first); one at or above a page but below memory.current is
# written, with a warning.
cp -r "$FIX/cgroup-basic" t
mkdir p
printf 'MemTotal:        8388608 kB\n' > p/meminfo
before=$(cat t/apps.slice/memory.max t/apps.slice/memory.high)
"$DMABUFCTL" --root t --proc-root p set /apps.slice --memory-max 0% || echo "rc=$?"
"$DMABUFCTL" --root t --proc-root p set /apps.slice --memory-high 1G --memory-max 0.00% || echo "rc=$?"
"$DMABUFCTL" --root t set /apps.slice --memory-max 0 || echo "rc=$?"
"$DMABUFCTL" --root t set /apps.slice --memory-high 100 || echo "rc=$?"
"$DMABUFCTL" --root t set /apps.slice --memory-max 4095 || echo "rc=$?"
printf 'MemTotal:        4 kB\n' > p/meminfo
"$DMABUFCTL" --root t --proc-root p set /apps.slice --memory-max 50% || echo "rc=$?"
[ "$(cat t/apps.slice/memory.max t/apps.slice/memory.high)" = "$before" ] && echo "nothing written"
# one page is taken; below memory.current (1.0G here) it is said
"$DMABUFCTL" --root t set /apps.slice --memory-max 4096 --bytes
"$DMABUFCTL" --root t set /apps.slice --memory-max 2G --memory-high 512M
cat t/apps.slice/memory.max t/apps.slice/memory.high
