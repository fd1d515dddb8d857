"$DMABUFCTL" check-config "$SRC/conf/dmabufctl.conf"
