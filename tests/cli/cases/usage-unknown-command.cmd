"$DMABUFCTL" stats
