# A glob read first no longer shadows a more specific policy: a path beats
# a glob, and between globs the longer literal prefix wins; a tie goes to
# the policy read first.
cat > c.conf <<'CONF'
[policy:every-app]
cgroup = /apps.slice/*
dmabuf.max = 4G

[policy:b-ish]
cgroup = /apps.slice/app-b*
dmabuf.max = 1M
action = freeze

[policy:a-kill]
cgroup = /apps.slice/app-a.scope
dmabuf.max = 1M
action = kill

[policy:any-scope]
cgroup = /apps.slice/*.scope
dmabuf.max = 1M
action = kill
CONF
DMABUFCTL_PROC_ROOT=$FIX/proc-daemon $DMABUFD --once --root $FIX/cgroup-daemon --config c.conf 2>/dev/null
