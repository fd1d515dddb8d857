#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# dpkg --purge removes what the packages created: their files, the unit and
# its enablement, the runtime directories, the metrics, the catalog entries.
# Runs last; an administrator's file in /etc/dmabufctl stays.
. /usr/share/vm/lib.sh
. /usr/share/vm/lib-systemd.sh

dpkg-query -W dmabufd > /dev/null 2>&1 || skip "the packages are not installed (05-package-install)"
files=$(dpkg -L dmabufctl dmabufd | grep -v '^/\.$')
systemctl start dmabufd.service || fail "dmabufd.service does not start"
wait_for 30 sh -c '[ -e /run/dmabufctl/metrics.prom ]' || fail "no metrics file"
mkdir -p /etc/dmabufctl/policies.d
echo '[policy:admin]
cgroup = /admin.slice
dmabuf.max = 1G' > /etc/dmabufctl/policies.d/admin.conf

# Debug-symbol packages depend on theirs and go with them.
dbg=$(dpkg-query -W -f '${Package}\n' 'dmabufctl-dbgsym' 'dmabufd-dbgsym' 2>/dev/null)
dpkg --purge $dbg dmabufd dmabufctl || fail "dpkg --purge failed"
[ "$(systemctl show -P LoadState dmabufd.service)" = not-found ] ||
	fail "dmabufd.service is still $(systemctl show -P LoadState dmabufd.service)"
[ "$(systemctl show -P ActiveState dmabufd.service)" = inactive ] || fail "dmabufd still runs"
left=
for f in $files; do
	# Directories shared with others (/usr/bin, /lib/systemd/system) stay.
	[ -d "$f" ] && continue
	[ -e "$f" ] && left="$left $f"
done
[ -z "$left" ] || fail "left by the purge:$left"
for f in /usr/lib/dmabufctl /run/dmabufctl /run/dmabufd /etc/systemd/system/multi-user.target.wants/dmabufd.service \
	/var/lib/systemd/deb-systemd-helper-enabled/dmabufd.service.dsh-also \
	/var/lib/systemd/deb-systemd-helper-enabled/multi-user.target.wants/dmabufd.service; do
	[ ! -e "$f" ] || fail "left by the purge: $f"
done
[ -f /etc/dmabufctl/policies.d/admin.conf ] || fail "the purge removed the administrator's file"
journalctl --list-catalog 0c4c001d7d0b4e878bee6a5115da3bc2 2>/dev/null | grep -q . && fail "the catalog entries are still known"
echo "purged: $(echo "$files" | wc -l) paths of the packages, the runtime directories and the unit's enablement gone"
