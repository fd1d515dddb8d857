# The commented-out examples of conf/dmabufctl.conf ('#' directly followed
# by a key or a section) must be valid too, once uncommented.
sed -E 's/^#([^ #])/\1/' "$SRC/conf/dmabufctl.conf" > dmabufctl.conf
grep -c '^\[policy:' dmabufctl.conf
"$DMABUFCTL" check-config dmabufctl.conf
