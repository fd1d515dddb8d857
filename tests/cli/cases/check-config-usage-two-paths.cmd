cd "$SRC/tests/check-config"
"$DMABUFCTL" check-config valid.conf claims.conf
