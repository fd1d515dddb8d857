# dmabufd runs as root: a configuration others can write is refused, named.
mkdir etc && cp $FIX/daemon.conf etc/dmabufctl.conf && chmod 666 etc/dmabufctl.conf
$DMABUFD --once --root $FIX/cgroup-daemon --config etc/dmabufctl.conf
