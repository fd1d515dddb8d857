cd "$SRC/tests/check-config"
"$DMABUFCTL" check-config missing.conf
