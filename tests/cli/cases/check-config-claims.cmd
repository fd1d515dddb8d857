cd "$SRC/tests/check-config"
"$DMABUFCTL" check-config claims.conf
