# Two globs claim one cgroup: the first applies and status says so. A
# systemd-escaped name (\x2d) matches literally.
. "$FIX/make-cgroup-tree.sh"
cg t - - - 0
cg t/apps.slice 8192 max max 2097152
cg 't/apps.slice/foo\x2dbar.service' 4096 max max 2097152
cat > c.conf <<'CONF'
[policy:escaped]
cgroup = /apps.slice/foo\x2dbar.service
dmabuf.max = 1M

[policy:all-apps]
cgroup = /apps.slice/*
dmabuf.warn = 1K
CONF
DMABUFCTL_SYSFS_ROOT=$FIX/sys-on "$DMABUFCTL" --root t --config c.conf status
