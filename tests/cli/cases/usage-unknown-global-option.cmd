"$DMABUFCTL" --frobnicate status
