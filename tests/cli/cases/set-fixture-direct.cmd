# Under --root (a tree libcgroup cannot be pointed at) set writes the files
# itself: libcgroup's cgroup_modify_cgroup is never called (lazy binding
# would bind it on the first call).
cp -r "$FIX/cgroup-basic" tree
LD_DEBUG=bindings LD_DEBUG_OUTPUT=$PWD/ld "$DMABUFCTL" --root tree set /apps.slice/app-a.scope --memory-max 1G >/dev/null
echo "libcgroup writes: $(cat ld.* | grep -c "symbol .cgroup_modify_cgroup'")"
cat tree/apps.slice/app-a.scope/memory.max
