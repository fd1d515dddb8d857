# A hook run by /bin/sh is accepted: /bin and /usr/bin/sh are symlinks
# (usr-merge, dash), each in a root-owned directory nobody else may write,
# and the walk follows them to a trusted /usr/bin/dash.
mkdir etc && sed "s|^\[daemon\]|[daemon]\nalert-hook = $TMP/etc/alert|" $FIX/daemon.conf > etc/dmabufctl.conf
printf '#!/bin/sh -e\nexit 0\n' > etc/alert && chmod 755 etc/alert
$DMABUFD --once --root $FIX/cgroup-daemon --config etc/dmabufctl.conf > /dev/null
echo "accepted"
