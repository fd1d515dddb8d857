#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# dmabufd.service under a real systemd: Type=notify (started only after its
# first pass, STATUS= shown), the watchdog fed, `systemctl reload` (a good and
# a broken configuration), a unit policy whose unit starts after dmabufd,
# structured journal entries with their MESSAGE_ID and fields, a clean stop.
# The unit as the package installed it (05-package-install), with a drop-in
# for a short watchdog: no kill binary in the VM, so `systemctl reload`
# proves that ExecReload= needs none.
. /usr/share/vm/lib.sh
. /usr/share/vm/lib-systemd.sh

[ -f /lib/systemd/system/dmabufd.service ] || skip "dmabufd is not installed (05-package-install)"
for k in /bin/kill /usr/bin/kill; do
	[ ! -e $k ] || fail "$k exists: this scenario proves reload without procps"
done

# Whatever happens, show what dmabufd said; leave the vendor configuration
# in force for the scenarios after this one.
trap 'echo "--- journal of dmabufd:"; journalctl -u dmabufd -o cat --no-pager | tail -n 40
	rm -rf /etc/dmabufctl/dmabufctl.conf /etc/systemd/system/dmabufd.service.d; systemctl daemon-reload' EXIT

mkdir -p /etc/systemd/system/dmabufd.service.d
printf '[Service]\nWatchdogSec=2s\n' > /etc/systemd/system/dmabufd.service.d/vm.conf
mkdir -p -m 755 /etc/dmabufctl
cat > /etc/dmabufctl/dmabufctl.conf <<CONF
[daemon]
interval = 200ms
grace = 500ms
protect = /system.slice/dmabufd.service

[policy:late]
unit = late.service
dmabuf.max = 64M
CONF
chmod 644 /etc/dmabufctl/dmabufctl.conf
systemctl daemon-reload

# Type=notify: (re)start returns once READY=1 came, after the first pass.
systemctl restart dmabufd.service || { journalctl -u dmabufd --no-pager | tail -20; fail "dmabufd did not start"; }
[ "$(unit_prop dmabufd.service ActiveState)" = active ] || fail "not active"
[ "$(unit_prop dmabufd.service Type)" = notify ] || fail "not Type=notify"
status=$(unit_prop dmabufd.service StatusText)
echo "StatusText: $status"
case $status in Policing*) ;; *) fail "STATUS= not shown: '$status'" ;; esac
echo "CapabilityBoundingSet: $(unit_prop dmabufd.service CapabilityBoundingSet)"

# The sandbox as the kernel sees it, from the daemon's own mount table:
# /sys read-only (ProtectKernelTunables) but /sys/fs/cgroup and its runtime
# directories writable, / read-only (ProtectSystem=strict), a seccomp filter.
pid=$(unit_prop dmabufd.service MainPID)
mnt_opts() { awk -v m="$1" '$5 == m { o = $6 } END { print o }' /proc/$pid/mountinfo; }
for m in /sys/fs/cgroup /run/dmabufctl /run/dmabufd; do
	case $(mnt_opts $m) in rw*) ;; *) fail "$m is not writable for dmabufd: '$(mnt_opts $m)'" ;; esac
done
for m in / /sys; do
	case $(mnt_opts $m) in ro*) ;; *) fail "$m is writable for dmabufd: '$(mnt_opts $m)'" ;; esac
done
grep -q '^Seccomp:[[:space:]]*2' /proc/$pid/status || fail "no seccomp filter: $(grep Seccomp: /proc/$pid/status)"
[ "$(unit_prop dmabufd.service LimitNOFILE)" = 524288 ] || fail "LimitNOFILE=$(unit_prop dmabufd.service LimitNOFILE)"
echo "sandbox: /sys/fs/cgroup $(mnt_opts /sys/fs/cgroup | cut -d, -f1), /sys $(mnt_opts /sys | cut -d, -f1), seccomp on"

# The watchdog (2 s): fed at half of it, so the timestamp moves.
w0=$(unit_prop dmabufd.service WatchdogTimestampMonotonic)
sleep 3
w1=$(unit_prop dmabufd.service WatchdogTimestampMonotonic)
[ -n "$w1" ] && [ "$w1" != 0 ] && [ "$w1" != "$w0" ] || fail "the watchdog is not fed ($w0 -> $w1)"
[ "$(unit_prop dmabufd.service ActiveState)" = active ] || fail "the watchdog killed dmabufd"
echo "watchdog fed: $w0 -> $w1"

# A unit policy whose unit starts after dmabufd: resolved when its cgroup
# appears, and its memory.current over a tiny MemoryHigh makes it warn.
make_service late.service
systemctl set-property --runtime late.service MemoryHigh=4K
cg=/sys/fs/cgroup/system.slice/late.service
echo "late.service: memory.current $(cat $cg/memory.current), memory.high $(cat $cg/memory.high)"
wait_for 30 sh -c "journalctl -u dmabufd -o cat --no-pager | grep -q 'policy late: unit late.service is now at /system.slice/late.service'"
wait_for 30 sh -c "journalctl -o json --no-pager MESSAGE_ID=6228523a6766423eb7a10b48c9dc25b3 | grep -q '\"CGROUP\" *: *\"/system.slice/late.service\"'"
entry=$(journalctl -o json --no-pager MESSAGE_ID=6228523a6766423eb7a10b48c9dc25b3 | tail -n1)
echo "$entry"
# journalctl -o json writes "KEY" : "value".
for field in POLICY=late ACTION=alert DMABUFCTL_EVENT=warn LIMIT_BYTES=4096 TARGET= DMABUF_BYTES=; do
	echo "$entry" | grep -q "\"${field%%=*}\" *: *\"${field#*=}" || fail "the warn entry lacks $field"
done

# systemctl reload: SIGHUP. A good file is reloaded, a broken one rejected
# (FILE:LINE in the journal) and the old one kept; dmabufd stays up.
systemctl reload dmabufd.service || fail "reload failed"
wait_for 10 sh -c "journalctl -o json --no-pager MESSAGE_ID=0c4c001d7d0b4e878bee6a5115da3bc2 | grep -q reloaded"
printf '\n[policy:broken]\ncgroup = /nothing\ndmabuf.max = lots\n' >> /etc/dmabufctl/dmabufctl.conf
systemctl reload dmabufd.service || fail "reload failed"
wait_for 10 sh -c "journalctl -o json --no-pager MESSAGE_ID=99bdb75821e34cf59c1e2f28816068c9 | grep -q rejected"
journalctl -u dmabufd -o cat --no-pager | grep -q '/etc/dmabufctl/dmabufctl.conf:[0-9]*: dmabuf.max' || fail "no FILE:LINE in the journal"
[ "$(unit_prop dmabufd.service ActiveState)" = active ] || fail "dmabufd went down on a broken reload"

# A clean stop.
systemctl stop dmabufd.service
[ "$(unit_prop dmabufd.service Result)" = success ] || fail "stopped with result $(unit_prop dmabufd.service Result)"
