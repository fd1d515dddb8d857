# Under --root (a tree libcgroup cannot be pointed at) set writes the files
# itself: libcgroup's cgroup_modify_cgroup is never called (lazy binding
# would bind it on the first call).
# A binary linked with -z now (a Debian package build's hardening=+all)
# binds every symbol at start: the probe cannot tell, so skip.
if LC_ALL=C readelf -d "$DMABUFCTL" 2>/dev/null | grep -qE '\(BIND_NOW\)|\(FLAGS_1\).* NOW'; then
        echo "skipped: $DMABUFCTL is linked with -z now (no lazy binding to watch)" >&2
        exit 77
fi
cp -r "$FIX/cgroup-basic" tree
LD_DEBUG=bindings LD_DEBUG_OUTPUT=$PWD/ld "$DMABUFCTL" --root tree set /apps.slice/app-a.scope --memory-max 1G >/dev/null
echo "libcgroup writes: $(cat ld.* | grep -c "symbol .cgroup_modify_cgroup'")"
cat tree/apps.slice/app-a.scope/memory.max
