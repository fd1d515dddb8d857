"$DMABUFCTL" status --json=1
