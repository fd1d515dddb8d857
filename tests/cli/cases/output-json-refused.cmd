# -o, -n and -r shape text tables; the contract's JSON always has every
# field, so with --json they are refused, not silently ignored
# (--output help still lists the columns).
cp -r "$FIX/cgroup-basic" t
C="--root t --config $FIX/basic.conf"
"$DMABUFCTL" $C --json status -o CGROUP || echo "rc=$?"
"$DMABUFCTL" $C status --json -n || echo "rc=$?"
"$DMABUFCTL" $C top --json -n 1 -r || echo "rc=$?"
"$DMABUFCTL" $C top --json -n 1 --noheadings || echo "rc=$?"
"$DMABUFCTL" $C buffers --json -o PID || echo "rc=$?"
"$DMABUFCTL" --root t --config "$FIX/budgets.conf" apply --json --dry-run -o TARGET || echo "rc=$?"
"$DMABUFCTL" $C status --json -o help | head -2
