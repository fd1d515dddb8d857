#!/bin/sh
# What the other scenarios rely on: systemd 252 as PID 1, the system bus,
# cgroup2 with the memory controller, the helpers (05-package-install
# installs the project).
. /usr/share/vm/lib.sh
. /usr/share/vm/lib-systemd.sh

[ "$(cat /proc/1/comm)" = systemd ] || fail "PID 1 is $(cat /proc/1/comm), not systemd"
[ -d /run/systemd/system ] || fail "/run/systemd/system is missing"
systemctl --version | head -n1
busctl status org.freedesktop.systemd1 >/dev/null || fail "systemd is not on the system bus"
grep -q ' /sys/fs/cgroup cgroup2 ' /proc/mounts || fail "cgroup2 is not mounted at /sys/fs/cgroup"
grep -qw memory /sys/fs/cgroup/cgroup.subtree_control || fail "memory is not in the root's subtree_control"
command -v memhog >/dev/null || fail "memhog is not installed in the VM"
systemctl is-system-running || true
