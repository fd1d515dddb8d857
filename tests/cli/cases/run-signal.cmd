# A command killed by a signal: 128 + the signal.
cp -r "$FIX/cgroup-basic" tree
"$DMABUFCTL" --root tree --config "$FIX/budgets.conf" run --name sig -- sh -c 'kill -TERM $$' || echo "rc $?"
# SIGTERM sent to run reaches the command.
"$DMABUFCTL" --root tree --config "$FIX/budgets.conf" run --name fwd -- sh -c 'trap "echo got TERM; exit 7" TERM; echo ready > ready; while :; do sleep 0.05; done' &
pid=$!
for i in $(seq 100); do [ -e ready ] && break; sleep 0.05; done
kill -TERM $pid
wait $pid || echo "rc $?"
