#!/bin/sh
# run makes a transient scope whose memory.max the kernel enforces (a
# process over budget is OOM-killed inside it) and which goes away after.
. /usr/share/vm/lib.sh
. /usr/share/vm/lib-systemd.sh
M=1048576

# Within budget: in the scope, in the slice run-parent names.
dmabufctl run --memory-max 64M --name fits -- sh -c \
	'cat /proc/self/cgroup; systemctl show -P MemoryMax fits.scope; cat /sys/fs/cgroup/dmabufctl.slice/fits.scope/memory.max; memhog 16' > out; rc=$?
cat out
[ $rc = 0 ] || fail "a command within budget: rc $rc"
grep -qx '0::/dmabufctl.slice/fits.scope' out || fail "the command was not in /dmabufctl.slice/fits.scope"
[ "$(grep -cx $((64 * M)) out)" = 2 ] || fail "MemoryMax / memory.max of the scope were not 64M"
grep -q 'held 16 MiB' out || fail "memhog did not finish"
wait_for 30 sh -c '! systemctl is-active -q fits.scope'
[ -e /sys/fs/cgroup/dmabufctl.slice/fits.scope ] && fail "the scope's cgroup is still there"

# Over budget: OOM-killed inside the scope.
before=$(cg_key /sys/fs/cgroup/dmabufctl.slice/memory.events oom_kill)
dmabufctl run --memory-max 32M --name hog -- memhog 128; rc=$?
after=$(cg_key /sys/fs/cgroup/dmabufctl.slice/memory.events oom_kill)
echo "rc $rc, oom_kill of dmabufctl.slice $before -> $after"
[ $rc = 137 ] || fail "the hog was not SIGKILLed (rc $rc)"
[ "${after:-0}" -gt "${before:-0}" ] || fail "no oom_kill counted"
wait_for 30 sh -c '! systemctl is-active -q hog.scope'
systemctl status hog.scope --no-pager 2>&1 | head -n 3
wait_for 30 sh -c '[ ! -e /sys/fs/cgroup/dmabufctl.slice/hog.scope ]'

# Another slice; exit status passes through; leftovers stopped.
dmabufctl run --slice other.slice --name st -- sh -c 'grep -q "^0::/other.slice/st.scope$" /proc/self/cgroup && exit 9'; rc=$?
[ $rc = 9 ] || fail "--slice other.slice: rc $rc (9: in the right scope)"
dmabufctl run --name leaver -- sh -c 'sleep 600 & echo $! > leftover' || fail "leaver failed"
wait_for 30 sh -c '! kill -0 $(cat leftover) 2>/dev/null'
wait_for 30 sh -c '! systemctl is-active -q leaver.scope'

# --dmabuf-max: the runtime policy names the scope's cgroup while it runs.
dmabufctl run --dmabuf-max 64M --name cam -- cat /run/dmabufctl/policies.d/run-cam.scope.conf > pol || fail "run --dmabuf-max failed"
cat pol
grep -qx 'cgroup = /dmabufctl.slice/cam.scope' pol || fail "the runtime policy does not name the scope's cgroup"
[ -e /run/dmabufctl/policies.d/run-cam.scope.conf ] && fail "the runtime policy was not removed"
# dmabufd (as the packaged dmabufd.service) is told to reload as the policy
# comes and goes, and polices the scope's cgroup meanwhile.
if [ -f /lib/systemd/system/dmabufd.service ]; then
	mkdir -p /etc/dmabufctl
	printf '[daemon]\ninterval = 1s\n' > /etc/dmabufctl/dmabufctl.conf
	trap 'rm -f /etc/dmabufctl/dmabufctl.conf' EXIT
	systemctl restart dmabufd.service || { journalctl -u dmabufd.service --no-pager | tail; fail "cannot start dmabufd.service"; }
	dmabufctl run --dmabuf-max 64M --name cam2 -- dmabufd --once > once.out || fail "dmabufd --once in the scope failed"
	cat once.out
	grep -q '/dmabufctl.slice/cam2.scope' once.out || fail "dmabufd does not police the run's cgroup"
	wait_for 30 sh -c '[ "$(journalctl -u dmabufd.service --no-pager | grep -c "SIGHUP")" -ge 2 ]'
	journalctl -u dmabufd.service --no-pager | grep SIGHUP
	systemctl stop dmabufd.service
fi
echo "run: scopes with enforced budgets, gone afterwards"
