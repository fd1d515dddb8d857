"$DMABUFCTL" --root "$TMP/none" top -b -n 1
