# A write that fails after every target was checked (here memory.high of
# the last target is a symlink, which is read but never written through):
# apply says what failed, restores every earlier write and says so.
cp -r "$FIX/cgroup-basic" tree
d=tree/system.slice/compositor.service
mv $d/memory.high $d/high.real
ln -s high.real $d/memory.high
before=$(find tree -type f | sort | xargs md5sum)
"$DMABUFCTL" --root tree --config "$FIX/budgets.conf" apply || echo "rc $?"
after=$(find tree -type f | sort | xargs md5sum)
[ "$before" = "$after" ] && echo "every earlier write restored"
# set, the same: memory.max is put back when memory.high cannot be written.
"$DMABUFCTL" --root tree set /system.slice/compositor.service --memory-max 1G --memory-high 900M || echo "rc $?"
echo "memory.max $(cat $d/memory.max)"
