# --dmabuf-max registers a policy drop-in for the command's cgroup while it
# runs (a normal policy file), removed afterwards.
cp -r "$FIX/cgroup-basic" tree
export DMABUFCTL_RUNTIME_DIR=$PWD/rt
"$DMABUFCTL" --root tree --config "$FIX/budgets.conf" run --dmabuf-max 256M --name cam -- \
        sh -c 'sed "1d; s/^\(# owner: pid=\)[0-9]* start=[0-9]*$/\1PID start=START/" rt/policies.d/run-cam.conf; "$DMABUFCTL" check-config rt/policies.d/run-cam.conf && echo valid'
ls rt/policies.d
