#!/bin/sh
# vm: accounting=on,off timeout=300
# The kernel refuses charges nobody consented to, and never charges someone
# else instead (the pidfd is checked with accounting off too):
# - allocd running as nobody (65534) may not charge a root client: EPERM,
#   while a client running as nobody itself is served;
# - a client that exits between asking and the allocation: ESRCH, and
#   neither the client's cgroup nor the allocator's is charged.
. /usr/share/vm/lib.sh
need_dmabuf_stack

expect_error() { # ERRNAME OUTPUT
	case "$2" in
	"error $1:"*) echo "$2" ;;
	*) fail "expected $1, got: $2" ;;
	esac
}

mkdir -p $CGROOT/services/allocd $CGROOT/services/slow $CGROOT/apps/a $CGROOT/apps/n
echo +memory >$CGROOT/services/cgroup.subtree_control
echo +memory >$CGROOT/apps/cgroup.subtree_control
echo 64M >$CGROOT/apps/a/memory.max
mkdir -m 0777 nobody

echo "== allocd as nobody, a root client: EPERM"
allocd --socket "$PWD/nobody/allocd.sock" --cgroup $CGROOT/services/allocd --user 65534 &
wait_for 10 test -S nobody/allocd.sock
client serve --allocator "$PWD/nobody/allocd.sock" --control "$PWD/a.ctl" --cgroup $CGROOT/apps/a &
wait_for 10 test -S a.ctl
expect_error EPERM "$(client ctl "$PWD/a.ctl" alloc 4M refused)"
expect_dmabuf /apps/a 0
expect_dmabuf /services/allocd 0

echo "== allocd as nobody, a client as nobody: served"
client serve --allocator "$PWD/nobody/allocd.sock" --control "$PWD/nobody/n.ctl" \
	--cgroup $CGROOT/apps/n --user 65534 &
wait_for 10 test -S nobody/n.ctl
ctl "$PWD/nobody/n.ctl" alloc 4M mine || fail "same-user charge refused"
expect_dmabuf /apps/n "$(charged $((4 * M)))"
expect_dmabuf /services/allocd 0
statcheck || fail "dmabufctl and the kernel disagree"
ctl "$PWD/nobody/n.ctl" close all || fail "close"
expect_dmabuf /apps/n 0

echo "== a client exits between asking and the allocation: ESRCH"
allocd --socket "$PWD/slow.sock" --cgroup $CGROOT/services/slow --delay-ms 1500 &
wait_for 10 test -S slow.sock
client serve --allocator "$PWD/slow.sock" --control "$PWD/s.ctl" --cgroup $CGROOT/apps/a &
wait_for 10 test -S s.ctl
expect_error ESRCH "$(client ctl "$PWD/s.ctl" ask-and-exit 4M gone)"
ctl "$PWD/s.ctl" list
expect_dmabuf /apps/a 0
expect_dmabuf /services/slow 0
expect_dmabuf / 0
statcheck || fail "dmabufctl and the kernel disagree"

echo "== the same allocator still serves a live client"
ctl "$PWD/s.ctl" alloc 4M alive || fail "alloc after ESRCH"
expect_dmabuf /apps/a "$(charged $((4 * M)))"
expect_dmabuf /services/slow 0
echo "pass"
