"$DMABUFCTL" --proc-root "$FIX/proc-buffers" buffers --cgroup /apps.slice/../x
