"$DMABUFCTL" status --sort size
