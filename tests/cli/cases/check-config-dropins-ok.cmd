cd "$SRC/tests/check-config"
"$DMABUFCTL" check-config dropins-ok/dmabufctl.conf
