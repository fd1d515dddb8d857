# Review 14b, N1/N2: a user who owns a delegated subtree names a cgroup with
# a terminal sequence (OSC: set the window title, CSI: colour) and a bidi
# override; every line apply writes about it (the percentage note, the
# below-memory.current warning, the refusal below one page) names it
# escaped, dry run or not.
cp -r "$FIX/cgroup-basic" t
mkdir p
printf 'MemTotal:        4194304 kB\n' > p/meminfo
bad=$(printf 'x\033]0;pwned\007\033[31mred\342\200\256.scope')
mv t/apps.slice/app-a.scope "t/apps.slice/$bad"
rm -r t/apps.slice/app-b.scope t/apps.slice/app-c.scope
cat > c.conf <<'CONF'
[policy:apps]
cgroup = /apps.slice/*
memory.high = 50%
memory.max = 4K
CONF
"$DMABUFCTL" --root t --proc-root p --config c.conf apply --dry-run || echo "rc=$?"
sed -i 's/^memory.max = 4K/memory.max = 1K/' c.conf
"$DMABUFCTL" --root t --proc-root p --config c.conf apply --dry-run || echo "rc=$?"
