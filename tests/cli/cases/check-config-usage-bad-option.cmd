cd "$SRC/tests/check-config"
"$DMABUFCTL" check-config --no-such-option valid.conf
