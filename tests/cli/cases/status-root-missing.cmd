"$DMABUFCTL" --root /nonexistent/cgroup status
