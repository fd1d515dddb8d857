#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The built packages, installed as an administrator would (dpkg -i on
# Debian 12 minbase with systemd as PID 1, no procps): the files where the
# package says, tmpfiles.d's directories made, the catalog known to the
# journal, and dmabufd.service enabled and started by the maintainer
# scripts (dh_installsystemd), on the vendor configuration alone.
. /usr/share/vm/lib.sh
. /usr/share/vm/lib-systemd.sh

set -- /usr/lib/vm/debs/*.deb
[ -e "$1" ] || fail "no packages in the VM (tests/vm/systemd/run --deb FILE or --build-debs SRCDIR)"
# What the scenarios prove depends on this: no kill binary anywhere.
for k in /bin/kill /usr/bin/kill /sbin/kill /usr/sbin/kill; do
	[ ! -e $k ] || fail "$k exists: the root file system has procps, the reload proof needs it absent"
done
# Something early in the boot may still hold dpkg's lock: wait for it (up
# to 2 minutes) as an administrator would, and say who held it.
i=0
until dpkg -i "$@" 2> /tmp/dpkg.err; do
	cat /tmp/dpkg.err >&2
	grep -q 'lock' /tmp/dpkg.err || fail "dpkg -i failed"
	i=$((i + 1))
	[ $i -lt 120 ] || { cat /proc/locks >&2; fail "dpkg -i: the lock stayed held for 2 minutes"; }
	[ $i -gt 1 ] || { echo "dpkg's lock is held; /proc/locks:"; cat /proc/locks; }
	sleep 1
done
dpkg-query -W -f '${Package} ${Version} ${Status}\n' dmabufctl dmabufd

for f in /usr/bin/dmabufctl /usr/sbin/dmabufd; do
	[ -x $f ] || fail "$f is not installed"
done
[ -f /usr/lib/dmabufctl/dmabufctl.conf ] || fail "no vendor configuration in /usr/lib/dmabufctl"
[ ! -e /etc/dmabufctl/dmabufctl.conf ] || fail "/etc/dmabufctl/dmabufctl.conf is installed: it is the administrator's"
[ -d /etc/dmabufctl/policies.d ] && [ -d /usr/lib/dmabufctl/policies.d ] || fail "policies.d is missing"
[ -z "$(dpkg-query -W -f '${Conffiles}' dmabufctl dmabufd)" ] || fail "conffiles: $(dpkg-query -W -f '${Conffiles}' dmabufctl dmabufd)"
[ -d /run/dmabufctl/policies.d ] && [ -d /run/dmabufd ] || fail "tmpfiles.d did not make /run/dmabufctl/policies.d and /run/dmabufd"
journalctl --list-catalog 0c4c001d7d0b4e878bee6a5115da3bc2 | grep -q . || fail "the journal does not know the catalog"

[ "$(systemctl is-enabled dmabufd.service)" = enabled ] || fail "dmabufd.service is $(systemctl is-enabled dmabufd.service), not enabled"
wait_for 30 sh -c '[ "$(systemctl show -P ActiveState dmabufd.service)" = active ]' ||
	{ journalctl -u dmabufd --no-pager | tail -20; fail "dmabufd.service did not start"; }
echo "dmabufd.service: $(unit_prop dmabufd.service ActiveState), $(unit_prop dmabufd.service StatusText)"
dmabufctl check-config || fail "check-config on the vendor configuration failed"
