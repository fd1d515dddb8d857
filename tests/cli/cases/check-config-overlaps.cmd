# Overlapping patterns are no error: precedence decides (a path or unit
# beats a glob, the longer literal prefix beats a shorter one, then the
# policy read first), and check-config lists every cgroup of the tree that
# two policies claim, with the winner (notes, exit 0).
. "$FIX/make-cgroup-tree.sh"
cg t - - - 0
cg t/apps.slice 8192 max max 0
cg t/apps.slice/a.scope 4096 max max 0
cg t/apps.slice/b.scope 4096 max max 0
cg t/apps.slice/bb.scope 4096 max max 0
cg t/apps.slice/apps-cam.slice 4096 max max 0
cg t/apps.slice/c.service 4096 max max 0
cg t/apps.slice/x.scope 4096 max max 0
cat > c.conf <<'CONF'
[policy:apps]
cgroup = /apps.slice/*
dmabuf.max = 1G

[policy:a-kill]
cgroup = /apps.slice/a.scope
dmabuf.max = 64M
action = kill

[policy:b-ish]
cgroup = /apps.slice/b*.scope
dmabuf.max = 128M

[policy:any-scope]
cgroup = /apps.slice/*.scope
dmabuf.max = 256M

[policy:cam]
unit = apps-cam.slice
dmabuf.max = 32M

[policy:services]
cgroup = /*/*.service
dmabuf.max = 8M
CONF
"$DMABUFCTL" --root t check-config c.conf
