"$DMABUFCTL" --proc-root "$FIX/proc-buffers" buffers /apps.slice
