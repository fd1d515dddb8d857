#!/bin/sh
# vm: accounting=on timeout=300
# The demo (tools/demo shows this scenario's output): an allocator charging
# its client, dmabufctl status seeing it, the budget stopping the client,
# the compositor's double hop and the charge going back to 0. It checks
# every figure it shows against memory.stat, so it is a test too.
. /usr/share/vm/lib.sh
need /dev/dma_heap/system
cg_key $CGROOT/memory.stat dmabuf >/dev/null || skip "no dmabuf key in memory.stat (kernel without the series)"
command -v dmabufctl >/dev/null || skip "dmabufctl is not on PATH (tests/vm/run --bin build/src/cli/dmabufctl)"

M=1048576
dmabuf() { cg_key "$CGROOT$1/memory.stat" dmabuf; }
expect_dmabuf() {
	_i=0
	while [ "$(dmabuf "$1")" != "$2" ]; do
		_i=$((_i + 1))
		[ $_i -le 100 ] || fail "$1: dmabuf is $(dmabuf "$1"), expected $2"
		sleep 0.1
	done
}
mib() { awk -v b="$1" 'BEGIN { printf "%g MiB", b / 1048576 }'; }
show() { # CGROUP...: the kernel's own figure, straight from memory.stat
	for _cg in "$@"; do
		printf '    %-22s dmabuf %s   (memory.stat: dmabuf %s)\n' "$_cg" "$(mib "$(dmabuf "$_cg")")" "$(dmabuf "$_cg")"
	done
}
say() { echo; echo "$*"; }
run() { echo "  \$ $*" | sed "s|$PWD/||g"; "$@" 2>&1 | sed 's/^/    /'; }
app() { # NAME COMMAND...: a command to the app NAME; fails the demo on an error
	_app=$1
	shift
	_out=$(client ctl "$PWD/$_app.ctl" "$@") || fail "$_app: $*: $_out"
	echo "$_out" | sed 's/^/    /'
}

mkdir -p /etc/dmabufctl $CGROOT/services/allocd $CGROOT/services/compositor \
	$CGROOT/apps/camera $CGROOT/apps/game
echo +memory >$CGROOT/services/cgroup.subtree_control
echo +memory >$CGROOT/apps/cgroup.subtree_control
echo 64M >$CGROOT/apps/camera/memory.max
echo 64M >$CGROOT/apps/game/memory.max
cat >/etc/dmabufctl/dmabufctl.conf <<EOF
[policy:apps]
cgroup = /apps/*
dmabuf.warn = 24M
dmabuf.max = 48M
EOF

say "Inside the VM: Linux $(uname -r) with the dmabufctl series, dma_heap.mem_accounting=$(cat /sys/module/dma_heap/parameters/mem_accounting)."
say "1. An allocator service charges its client."
echo "   allocd (like Android's gralloc) runs in /services/allocd. The camera app runs"
echo "   in /apps/camera with a 64 MiB budget (memory.max). The app asks allocd for"
echo "   buffers; allocd allocates them from /dev/dma_heap/system with the flag"
echo "   DMA_HEAP_FLAG_CHARGE_PIDFD and the app's pidfd as charge_pid_fd, so the kernel"
echo "   bills the app, not allocd, page by page as it allocates."
allocd --socket "$PWD/allocd.sock" --cgroup $CGROOT/services/allocd -v 2>allocd.log &
wait_for 10 test -S allocd.sock >/dev/null
client serve --allocator "$PWD/allocd.sock" --control "$PWD/camera.ctl" --cgroup $CGROOT/apps/camera &
wait_for 10 test -S camera.ctl >/dev/null
echo
echo "  the app asks for an 8 MiB preview buffer and a 16 MiB frame buffer:"
app camera alloc 8M preview
app camera alloc 16M frame
app camera map all >/dev/null
echo "  allocd's log:"
grep bytes allocd.log | sed 's/^/    /'
expect_dmabuf /apps/camera $((24 * M))
expect_dmabuf /services/allocd 0
echo "  what the kernel says:"
show /apps/camera /services/allocd
echo "  (charged_cgroup_id, from each buffer's fdinfo, is the cgroup the kernel charged:"
echo "   /sys/fs/cgroup/apps/camera has inode $(stat -c %i $CGROOT/apps/camera))"

say "2. dmabufctl status sees the app's figures (a policy in /etc/dmabufctl/dmabufctl.conf"
echo "   budgets /apps/* at dmabuf.warn 24M, dmabuf.max 48M):"
run dmabufctl status
statcheck >/dev/null || fail "dmabufctl and the kernel disagree"

say "3. The budget stops a runaway client."
echo "   The app holds 24 MiB and asks for 48 MiB more: over its 64 MiB memory.max."
echo "   The kernel refuses the pages (they are charged as they are taken, so the"
echo "   allocation itself stops at the limit); the app gets ENOMEM from allocd:"
out=$(client ctl "$PWD/camera.ctl" alloc 48M runaway)
echo "    $out"
case "$out" in "error ENOMEM:"*) ;; *) fail "expected ENOMEM, got: $out" ;; esac
expect_dmabuf /apps/camera $((24 * M))
expect_dmabuf /services/allocd 0
echo "   nothing leaked and nobody else paid:"
show /apps/camera /services/allocd
echo "    /apps/camera memory.events: max $(cg_key $CGROOT/apps/camera/memory.events max) (times the limit was hit), oom_kill $(cg_key $CGROOT/apps/camera/memory.events oom_kill)"

say "4. The double hop: app -> compositor -> allocator."
echo "   The game in /apps/game asks the compositor (/services/compositor) for a window"
echo "   buffer. The compositor forwards the game's pidfd to allocd with its request"
echo "   (SCM_RIGHTS), so allocd charges the game directly: the compositor is never"
echo "   charged, not even for a moment, and there is no charge to move afterwards."
compd --socket "$PWD/compd.sock" --allocator "$PWD/allocd.sock" --cgroup $CGROOT/services/compositor -v 2>compd.log &
wait_for 10 test -S compd.sock >/dev/null
client serve --allocator "$PWD/compd.sock" --control "$PWD/game.ctl" --cgroup $CGROOT/apps/game &
wait_for 10 test -S game.ctl >/dev/null
app game alloc 32M window
grep 'pidfd forwarded' compd.log | sed 's/^/    /'
expect_dmabuf /apps/game $((32 * M))
expect_dmabuf /services/compositor 0
show /apps/game /services/compositor /services/allocd
run dmabufctl status --sort dmabuf
statcheck >/dev/null || fail "dmabufctl and the kernel disagree"

say "5. The charge goes back to 0."
echo "   The camera app closes its buffers; the game exits with its buffer still open."
app camera close all
app game exit
expect_dmabuf /apps/camera 0
expect_dmabuf /apps/game 0
show /apps/camera /apps/game /services/compositor /services/allocd
run dmabufctl status --all --sort dmabuf /apps/camera /apps/game
statcheck >/dev/null || fail "dmabufctl and the kernel disagree"
echo
echo "Every figure above was read back from the kernel's memory.stat and matched."

command -v dmabufd >/dev/null || exit 0  # the daemon's part needs dmabufd (tests/vm/run --bin build/src/daemon/dmabufd)

say "6. dmabufd acts on an overrun: an alert, then, after its grace, the offender is killed"
echo "   and its neighbour keeps running. dmabufd polices /apps/* (dmabuf.warn 24M,"
echo "   dmabuf.max 48M, action kill, grace 1s). The camera app holds 8 MiB; a runaway app"
echo "   in /apps/runaway (memory.max 256M, so the kernel lets it) keeps asking for more."
mkdir $CGROOT/apps/runaway
echo 256M >$CGROOT/apps/runaway/memory.max
mkdir -p /run/dmabufctl
cat >/etc/dmabufctl/dmabufd-demo.conf <<EOF
[daemon]
interval = 200ms
grace = 1s
cooldown = 1min
metrics-file = /run/dmabufctl/metrics.prom

[policy:apps]
cgroup = /apps/*
dmabuf.warn = 24M
dmabuf.max = 48M
action = kill
EOF
dmabufd --config /etc/dmabufctl/dmabufd-demo.conf 2>dmabufd.log &
daemon=$!
wait_for 20 test -s /run/dmabufctl/metrics.prom >/dev/null
app camera alloc 8M preview
client serve --allocator "$PWD/allocd.sock" --control "$PWD/runaway.ctl" --cgroup $CGROOT/apps/runaway &
wait_for 10 test -S runaway.ctl >/dev/null
for b in 1 2 3 4; do app runaway alloc 16M "buffer-$b"; done
show /apps/camera /apps/runaway
_i=0
until grep -q "populated 0" $CGROOT/apps/runaway/cgroup.events; do
	_i=$((_i + 1))
	[ $_i -le 300 ] || fail "dmabufd did not kill /apps/runaway"
	sleep 0.1
done
echo "   dmabufd said:"
sed -n -e 's/^dmabufd: \(.*unless it drops\)$/    \1/p' \
	-e 's/^dmabufd: \(warn\|kill\): \([^[]*\).*/    \1: \2/p' dmabufd.log
echo "   the kernel: /apps/runaway has no process left ($(grep populated $CGROOT/apps/runaway/cgroup.events)),"
echo "   its buffers are freed; the camera app still runs with its 8 MiB:"
expect_dmabuf /apps/runaway 0
expect_dmabuf /apps/camera $((8 * M))
grep -q "populated 1" $CGROOT/apps/camera/cgroup.events || fail "the neighbour was touched"
show /apps/camera /apps/runaway
app camera close all
kill -TERM $daemon
wait $daemon || fail "dmabufd exited with status $?"
