#!/bin/sh
# rootfs-setup.sh DIR: turn a debootstrap tree into the systemd VM's root:
# a short boot (no gettys, timers or units that wait for hardware), the
# console quiet but for our results. Part of the root filesystem's cache key.
set -eu
root=$1

echo vm-systemd > "$root/etc/hostname"
: > "$root/etc/fstab"
# An empty machine-id: systemd makes a transient one at boot.
: > "$root/etc/machine-id"
mkdir -p "$root/etc/systemd/system" "$root/etc/systemd/system.conf.d" "$root/etc/systemd/journald.conf.d"
for u in getty@.service serial-getty@.service console-getty.service getty.target \
	systemd-timesyncd.service apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer \
	e2scrub_reap.service fstrim.timer man-db.timer dpkg-db-backup.timer logrotate.timer \
	systemd-tmpfiles-clean.timer systemd-networkd-wait-online.service systemd-networkd.service \
	systemd-resolved.service systemd-logind.service systemd-update-utmp.service \
	systemd-update-utmp-runlevel.service systemd-hwdb-update.service systemd-firstboot.service \
	ldconfig.service systemd-journal-catalog-update.service systemd-machine-id-commit.service \
	dev-hugepages.mount dev-mqueue.mount sys-kernel-tracing.mount sys-kernel-debug.mount \
	sys-fs-fuse-connections.mount sys-kernel-config.mount systemd-binfmt.service \
	proc-sys-fs-binfmt_misc.automount; do
	ln -sf /dev/null "$root/etc/systemd/system/$u"
done
ln -sf /lib/systemd/system/multi-user.target "$root/etc/systemd/system/default.target"
printf '[Manager]\nShowStatus=no\nDefaultTimeoutStartSec=60s\n' > "$root/etc/systemd/system.conf.d/vm.conf"
printf '[Journal]\nStorage=volatile\nForwardToConsole=no\n' > "$root/etc/systemd/journald.conf.d/vm.conf"
