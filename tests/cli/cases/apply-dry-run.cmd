# --dry-run prints every change and writes nothing.
cp -r "$FIX/cgroup-basic" tree
before=$(find tree -name 'memory.max' -o -name 'memory.high' | sort | xargs md5sum)
"$DMABUFCTL" --root tree --config "$FIX/budgets.conf" apply --dry-run
after=$(find tree -name 'memory.max' -o -name 'memory.high' | sort | xargs md5sum)
[ "$before" = "$after" ] && echo "tree unchanged"
