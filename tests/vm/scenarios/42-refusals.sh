#!/bin/sh
# vm: accounting=on,off timeout=300
# The kernel refuses charges that would fill a stranger's budget or let the
# caller escape its own, and never charges someone else instead (the pidfd
# is checked with accounting off too). The rule: charging another process
# needs CAP_SYS_RESOURCE unless the target is in the caller's own memory
# cgroup and that is not the root one; a target in the root cgroup is
# refused always.
# - allocd as nobody (no CAP_SYS_RESOURCE) in /services/allocd:
#   a root client in /apps/a: EPERM; a client running as nobody too (same
#   uid) in /apps/n: EPERM (a same-uid process elsewhere is no way out of a
#   budget); a nobody client in allocd's own cgroup: served, charged there;
# - targets in the root cgroup: EPERM from a root allocd (which has
#   CAP_SYS_RESOURCE), and from an unprivileged allocd that is in the root
#   cgroup itself (own memcg, but the root one);
# - a client that exits between asking and the allocation: ESRCH, and
#   neither the client's cgroup nor the allocator's is charged.
. /usr/share/vm/lib.sh
need_dmabuf_stack

expect_error() { # ERRNAME OUTPUT
	case "$2" in
	"error $1:"*) echo "  $2" ;;
	*) fail "expected $1, got: $2" ;;
	esac
}

mkdir -p $CGROOT/services/allocd $CGROOT/services/root-allocd $CGROOT/services/slow \
	$CGROOT/apps/a $CGROOT/apps/n
echo +memory >$CGROOT/services/cgroup.subtree_control
echo +memory >$CGROOT/apps/cgroup.subtree_control
echo 64M >$CGROOT/apps/a/memory.max
mkdir -m 0777 nobody

echo "== allocd as nobody, a root client in another cgroup: EPERM"
allocd --socket "$PWD/nobody/allocd.sock" --cgroup $CGROOT/services/allocd --user 65534 &
wait_for 10 test -S nobody/allocd.sock
client serve --allocator "$PWD/nobody/allocd.sock" --control "$PWD/a.ctl" --cgroup $CGROOT/apps/a &
wait_for 10 test -S a.ctl
expect_error EPERM "$(client ctl "$PWD/a.ctl" alloc 4M refused)"
expect_dmabuf /apps/a 0
expect_dmabuf /services/allocd 0

echo "== allocd as nobody, a client as nobody in another cgroup: EPERM (same uid)"
client serve --allocator "$PWD/nobody/allocd.sock" --control "$PWD/nobody/n.ctl" \
	--cgroup $CGROOT/apps/n --user 65534 &
wait_for 10 test -S nobody/n.ctl
expect_error EPERM "$(client ctl "$PWD/nobody/n.ctl" alloc 4M escape)"
expect_dmabuf /apps/n 0
expect_dmabuf /services/allocd 0

echo "== allocd as nobody, a client as nobody in allocd's own cgroup: served"
client serve --allocator "$PWD/nobody/allocd.sock" --control "$PWD/nobody/o.ctl" \
	--cgroup $CGROOT/services/allocd --user 65534 &
wait_for 10 test -S nobody/o.ctl
out=$(ctl "$PWD/nobody/o.ctl" alloc 4M own) || fail "a charge within the caller's own cgroup was refused: $out"
echo "$out"
expect_charged_id "$out" /services/allocd
expect_dmabuf /services/allocd "$(charged $((4 * M)))"
statcheck || fail "dmabufctl and the kernel disagree"
ctl "$PWD/nobody/o.ctl" close all || fail "close"
expect_dmabuf /services/allocd 0

# Processes in the root cgroup escape the harness's clean-up (it kills
# cgroups): they are killed here.
in_root=
trap 'kill $in_root 2>/dev/null' EXIT

echo "== a client in the root cgroup, root allocd (CAP_SYS_RESOURCE): EPERM"
allocd --socket "$PWD/root-allocd.sock" --cgroup $CGROOT/services/root-allocd &
wait_for 10 test -S root-allocd.sock
client serve --allocator "$PWD/root-allocd.sock" --control "$PWD/r.ctl" --cgroup $CGROOT &
in_root="$in_root $!"
wait_for 10 test -S r.ctl
expect_error EPERM "$(client ctl "$PWD/r.ctl" alloc 4M to-root)"
expect_dmabuf /services/root-allocd 0

echo "== allocd as nobody in the root cgroup, a nobody client there too: EPERM"
allocd --socket "$PWD/nobody/rootcg.sock" --cgroup $CGROOT --user 65534 &
in_root="$in_root $!"
wait_for 10 test -S nobody/rootcg.sock
client serve --allocator "$PWD/nobody/rootcg.sock" --control "$PWD/nobody/rr.ctl" \
	--cgroup $CGROOT --user 65534 &
in_root="$in_root $!"
wait_for 10 test -S nobody/rr.ctl
expect_error EPERM "$(client ctl "$PWD/nobody/rr.ctl" alloc 4M root-to-root)"
echo "== ... and a nobody client in /apps/n: EPERM"
client serve --allocator "$PWD/nobody/rootcg.sock" --control "$PWD/nobody/rn.ctl" \
	--cgroup $CGROOT/apps/n --user 65534 &
wait_for 10 test -S nobody/rn.ctl
expect_error EPERM "$(client ctl "$PWD/nobody/rn.ctl" alloc 4M root-to-app)"
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
