cd "$SRC/tests/check-config"
"$DMABUFCTL" check-config unknown.conf
