#!/bin/sh
# vm: accounting=on,off timeout=300
# A charged buffer never pins a memory cgroup. An app in /apps/a gets a
# 16 MiB window buffer through a compositor (compd --keep, in
# /services/compd) that holds a copy of it; the app exits and /apps/a is
# removed while the compositor still holds the buffer:
# - accounting on: the charge shows in the parent's memory.stat dmabuf
#   (/apps), /apps' cgroup.stat nr_dying_descendants returns to 0 (the
#   removed cgroup is freed, not kept alive by the buffer), and the
#   buffer's fdinfo (in the compositor) names /apps, a live cgroup, as
#   charged_cgroup_id; when the compositor lets go, /apps is back to 0;
# - accounting off: nothing is charged, the cgroup goes just the same, and
#   fdinfo has no charged_cgroup_id line.
. /usr/share/vm/lib.sh
need_dmabuf_stack

dying() { cg_key $CGROOT/apps/cgroup.stat nr_dying_descendants; }
no_dying() { [ "$(dying)" = 0 ]; }

mkdir -p $CGROOT/services/allocd $CGROOT/services/compd $CGROOT/apps/a
echo +memory >$CGROOT/services/cgroup.subtree_control
echo +memory >$CGROOT/apps/cgroup.subtree_control
apps_id=$(stat -c %i $CGROOT/apps)

allocd --socket "$PWD/allocd.sock" --cgroup $CGROOT/services/allocd &
wait_for 10 test -S allocd.sock
compd --socket "$PWD/compd.sock" --allocator "$PWD/allocd.sock" --cgroup $CGROOT/services/compd --keep &
compd_pid=$!
wait_for 10 test -S compd.sock
client serve --allocator "$PWD/compd.sock" --control "$PWD/a.ctl" --cgroup $CGROOT/apps/a &
wait_for 10 test -S a.ctl

echo "== the app gets a 16 MiB window buffer; the compositor keeps a copy"
out=$(ctl "$PWD/a.ctl" alloc 16M window) || fail "alloc: $out"
echo "$out"
expect_charged_id "$out" /apps/a
expect_dmabuf /apps/a "$(charged $((16 * M)))"
expect_dmabuf /apps "$(charged $((16 * M)))"
expect_dmabuf /services/compd 0
echo "  /apps: nr_dying_descendants $(dying) before"

echo "== the app exits; /apps/a is removed"
ctl "$PWD/a.ctl" exit || fail "exit"
wait_for 10 sh -c "! test -S '$PWD/a.ctl'"
wait_for 10 sh -c "grep -qx 'populated 0' $CGROOT/apps/a/cgroup.events"
rmdir $CGROOT/apps/a || fail "rmdir /apps/a"
expect_dmabuf /apps "$(charged $((16 * M)))"
wait_for 60 no_dying
echo "  /apps: nr_dying_descendants $(dying)"

echo "== the compositor's copy: fdinfo names a live cgroup"
fdinfo=
for f in /proc/$compd_pid/fd/*; do
	case "$(readlink "$f")" in
	*dmabuf*) fdinfo=/proc/$compd_pid/fdinfo/${f##*/} ;;
	esac
done
[ -n "$fdinfo" ] || fail "compd (pid $compd_pid) holds no dma-buf"
sed 's/^/  /' "$fdinfo"
id=$(cg_key "$fdinfo" charged_cgroup_id:)
if [ "$VM_ACCOUNTING" = on ]; then
	[ "$id" = "$apps_id" ] || fail "charged_cgroup_id is ${id:-absent}, /apps (which carries the charge now) is $apps_id"
	live=$(find $CGROOT -inum "$id" -type d)
	[ -n "$live" ] || fail "charged_cgroup_id $id names no live cgroup"
	echo "  charged_cgroup_id $id is ${live#"$CGROOT"}"
else
	[ -z "$id" ] || fail "accounting off, yet fdinfo says charged_cgroup_id $id"
fi
statcheck || fail "dmabufctl and the kernel disagree"

echo "== the compositor lets go"
kill $compd_pid
wait $compd_pid 2>/dev/null
expect_dmabuf /apps 0
expect_dmabuf /services/compd 0
echo "pass"
