# Review 14b, N5: run refuses a --memory-max below one page (0%, 0, a
# percentage of too little memory) as set and apply do, before it starts
# anything: the command never runs.
mkdir p
printf 'MemTotal:        8388608 kB\n' > p/meminfo
"$DMABUFCTL" --proc-root p run --memory-max 0% -- touch ran || echo "rc=$?"
"$DMABUFCTL" run --memory-max 0 -- touch ran || echo "rc=$?"
"$DMABUFCTL" run --memory-max 4095 -- touch ran || echo "rc=$?"
[ -e ran ] || echo "nothing ran"
