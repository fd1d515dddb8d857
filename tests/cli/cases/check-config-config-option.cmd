cd "$SRC/tests/check-config"
"$DMABUFCTL" check-config --config limits.conf
