# One target cannot take a budget: nothing at all is written.
cp -r "$FIX/cgroup-basic" tree
before=$(find tree -type f | sort | xargs md5sum)
"$DMABUFCTL" --root tree --config "$FIX/budgets-badtarget.conf" apply || echo "rc $?"
after=$(find tree -type f | sort | xargs md5sum)
[ "$before" = "$after" ] && echo "tree unchanged"
