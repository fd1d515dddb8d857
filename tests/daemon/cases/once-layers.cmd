# dmabufd reads the same layers as dmabufctl (one library function), trust
# checked: a /dev/null mask is recognised, not judged (/dev/null is 0666).
# It says what it read, in order, on stderr; the table is unchanged.
mkdir -p usr/policies.d etc/policies.d run/policies.d
sed -n '/^\[policy:apps\]/,/^$/p' "$FIX/daemon.conf" > usr/policies.d/10-apps.conf
sed -n '/^\[policy:media\]/,/^$/p' "$FIX/daemon.conf" > usr/policies.d/20-media.conf
sed -n '/^\[policy:idle\]/,/^$/p' "$FIX/daemon.conf" > etc/policies.d/30-idle.conf
ln -s /dev/null etc/policies.d/20-media.conf
export DMABUFCTL_VENDOR_DIR=$PWD/usr DMABUFCTL_CONFIG_DIR=$PWD/etc DMABUFCTL_RUNTIME_DIR=$PWD/run
DMABUFCTL_PROC_ROOT=$FIX/proc-daemon $DMABUFD --once --root $FIX/cgroup-daemon
