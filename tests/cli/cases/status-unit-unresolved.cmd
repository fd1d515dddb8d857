# status with a policy whose service cannot be resolved: said once, skipped,
# the other policies still apply. (Without systemd as PID 1 the reason is
# "systemd is not running"; with it, the unit is not loaded.)
printf '[policy:cam]\nunit = no-such-unit-dmabufctl-test.service\n[policy:apps]\nunit = apps.slice\n' > u.conf
set -o pipefail
DMABUFCTL_SYSFS_ROOT=$FIX/sys-on "$DMABUFCTL" --root "$FIX/cgroup-basic" --config u.conf status 2>&1 >/dev/null |
        sed -e 's/systemd is not running/UNRESOLVED/' -e 's/not loaded or without a cgroup/UNRESOLVED/' >&2
DMABUFCTL_SYSFS_ROOT=$FIX/sys-on "$DMABUFCTL" --root "$FIX/cgroup-basic" --config u.conf status /apps.slice 2>/dev/null
