# memory.max and memory.high take N% of physical memory; dma-buf budgets
# do not; memory.high above memory.max is caught between percentages too.
cat > c.conf <<'CONF'
[policy:a]
cgroup = /a
memory.max = 50%
memory.high = 40%

[policy:b]
cgroup = /b
memory.max = 40%
memory.high = 50%
dmabuf.max = 10%

[policy:c]
cgroup = /c
memory.max = 1.5G
memory.high = 75%
CONF
"$DMABUFCTL" check-config c.conf
