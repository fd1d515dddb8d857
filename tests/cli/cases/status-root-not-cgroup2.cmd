"$DMABUFCTL" --root /etc status
