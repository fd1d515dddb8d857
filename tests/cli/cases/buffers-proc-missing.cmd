"$DMABUFCTL" --proc-root "$TMP/nonexistent" buffers
