#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# dmabufd.service's alert hook under a real systemd: a transient unit of
# its own (dmabufd-hook-EVENT-PID-N.service), outside dmabufd's sandbox (it
# writes under /run, read-only for dmabufd), started from dmabufd's fd on
# the checked file (a "#!" script, as /proc/PID/fd/N), with exactly the
# DMABUFCTL_* values in its environment; its exit status in the journal; a
# hook that forks and calls setsid killed whole at the limit, its cgroup
# gone, its unit collected.
. /usr/share/vm/lib.sh
. /usr/share/vm/lib-systemd.sh

[ -f /lib/systemd/system/dmabufd.service ] || skip "dmabufd is not installed (05-package-install)"

hook=/usr/local/sbin/dmabufctl-vm-hook
trap 'echo "--- journal of dmabufd:"; journalctl -u dmabufd -o cat --no-pager | tail -n 30
	echo "--- hook units:"; journalctl -o cat --no-pager -u "dmabufd-hook-*" | tail -n 20
	rm -rf /etc/dmabufctl/dmabufctl.conf /etc/dmabufctl/vm-hook-mode $hook; systemctl restart dmabufd.service' EXIT

# The hook: a script (run through /proc/PID/fd/N by its interpreter). Mode
# "exit": record what it saw under /run and exit 3. Mode "stray": leave a
# setsid'd grandchild behind and outwait the limit.
mkdir -p /usr/local/sbin
cat > $hook <<'HOOK'
#!/bin/sh
echo "$0" > /run/dmabufctl-vm-hook.argv0
env | grep '^DMABUFCTL_' | sort > /run/dmabufctl-vm-hook.env
cat /proc/self/cgroup > /run/dmabufctl-vm-hook.cgroup
case $(cat /etc/dmabufctl/vm-hook-mode) in
stray)
	setsid sh -c 'echo $$ > /run/dmabufctl-vm-hook.stray; exec sleep 1000' < /dev/null > /dev/null 2>&1 &
	exec sleep 1000 ;;
*)
	exit 3 ;;
esac
HOOK
chown root:root $hook
chmod 755 $hook
echo exit > /etc/dmabufctl/vm-hook-mode 2>/dev/null || { mkdir -p -m 755 /etc/dmabufctl; echo exit > /etc/dmabufctl/vm-hook-mode; }
cat > /etc/dmabufctl/dmabufctl.conf <<CONF
[daemon]
interval = 200ms
alert-hook = $hook

[policy:nothing]
cgroup = /nothing.slice
dmabuf.max = 64M
CONF
chmod 644 /etc/dmabufctl/dmabufctl.conf
rm -f /run/dmabufctl-vm-hook.*
systemctl restart dmabufd.service || fail "dmabufd did not start"
pid=$(unit_prop dmabufd.service MainPID)

# The write to /run proves the sandbox is not the hook's: dmabufd's own /
# (and /run but for its directories) is read-only.
[ -w /run ] || fail "/run not writable here either"
# A reload is an alert (config-reloaded): the hook runs.
since=$(date '+%Y-%m-%d %H:%M:%S')
systemctl reload dmabufd.service || fail "reload failed"
wait_for 30 test -s /run/dmabufctl-vm-hook.env
echo "argv0: $(cat /run/dmabufctl-vm-hook.argv0)"
echo "cgroup: $(cat /run/dmabufctl-vm-hook.cgroup)"
cat /run/dmabufctl-vm-hook.env
case $(cat /run/dmabufctl-vm-hook.argv0) in
/proc/$pid/fd/[0-9]*) ;;
*) fail "the script was not run from dmabufd's fd: \$0 is $(cat /run/dmabufctl-vm-hook.argv0)" ;;
esac
grep -q '^0::/system.slice/dmabufd-hook-config-reloaded-'"$pid"'-[0-9]*\.service$' /run/dmabufctl-vm-hook.cgroup ||
	fail "not in a transient unit's cgroup: $(cat /run/dmabufctl-vm-hook.cgroup)"
[ "$(wc -l < /run/dmabufctl-vm-hook.env)" = 7 ] || fail "not exactly 7 DMABUFCTL_* variables"
grep -qx DMABUFCTL_EVENT=config-reloaded /run/dmabufctl-vm-hook.env || fail "DMABUFCTL_EVENT"
# The exit status, from systemd's ExecMainStatus, in dmabufd's journal.
wait_for 30 sh -c "journalctl -u dmabufd -o cat --no-pager --since '$since' | grep -q 'alert hook $hook (config-reloaded) exited with status 3 (unit dmabufd-hook-config-reloaded-$pid-[0-9]*.service, result exit-code)'"
# Collected although it failed (CollectMode=inactive-or-failed).
wait_for 10 sh -c "! systemctl list-units --all --no-legend 'dmabufd-hook-*' | grep -q ."

# A stray: killed at the 5 s limit with everything in its cgroup.
echo stray > /etc/dmabufctl/vm-hook-mode
rm -f /run/dmabufctl-vm-hook.*
since=$(date '+%Y-%m-%d %H:%M:%S')
systemctl reload dmabufd.service || fail "reload failed"
wait_for 30 test -s /run/dmabufctl-vm-hook.stray
stray=$(cat /run/dmabufctl-vm-hook.stray)
# The unit lives 5 s at most, and a loaded VM spends seconds of that before
# the stray's file shows: read the stray's cgroup and the unit's properties
# at once (one systemctl call), while the unit is known to be running.
scg=$(sed -n 's/^0:://p' /proc/$stray/cgroup)
unit=${scg##*/}
case $unit in dmabufd-hook-*.service) ;; *) fail "the setsid'd stray $stray is in $scg, not in a hook unit" ;; esac
props=$(systemctl show -p LoadState -p ActiveState -p ControlGroup -p RuntimeMaxUSec -p KillMode -p KillSignal -p ProtectSystem "$unit")
prop() { echo "$props" | sed -n "s/^$1=//p"; }
cg=/sys/fs/cgroup$(prop ControlGroup)
echo "$unit: cgroup $cg, $(prop ActiveState), RuntimeMaxUSec $(prop RuntimeMaxUSec), KillMode $(prop KillMode), KillSignal $(prop KillSignal), ProtectSystem $(prop ProtectSystem)"
[ "$(prop LoadState)" = loaded ] || fail "$unit was gone before it could be read ($(prop LoadState))"
[ "$cg" = "/sys/fs/cgroup$scg" ] || fail "the stray $stray is in $scg, its unit's cgroup is $cg"
[ "$(prop RuntimeMaxUSec)" = 5s ] || fail "RuntimeMaxUSec=$(prop RuntimeMaxUSec)"
[ "$(prop KillMode)" = control-group ] || fail "KillMode=$(prop KillMode)"
[ "$(prop ProtectSystem)" = no ] || fail "sandboxed: ProtectSystem=$(prop ProtectSystem)"
wait_for 30 sh -c "journalctl -u dmabufd -o cat --no-pager --since '$since' | grep -q 'alert hook $hook (config-reloaded) killed at its time limit by signal Killed (unit $unit, result timeout)'"
[ ! -e /proc/$stray ] || fail "the stray $stray outlived the limit"
wait_for 10 sh -c "[ ! -e $cg ] || grep -qx 'populated 0' $cg/cgroup.events"
wait_for 10 sh -c "! systemctl list-units --all --no-legend '$unit' | grep -q ."
echo "stray $stray killed, $cg gone or empty, $unit collected"
[ "$(unit_prop dmabufd.service ActiveState)" = active ] || fail "dmabufd went down"
