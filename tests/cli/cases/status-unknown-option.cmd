"$DMABUFCTL" status --frobnicate
