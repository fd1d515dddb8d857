"$DMABUFCTL" --proc-root "$FIX/proc-buffers" buffers --pid 12x
