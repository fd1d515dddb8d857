# The loop on a scratch tree: after the grace it kills the camera service and
# the busiest app of apps.slice, only alerts on media.slice (its busiest
# child, the codec, is protected: the smaller player is a bystander and is
# not frozen) and on the never-act cgroups; the
# hook runs with the DMABUFCTL_* environment and nothing else; the metrics
# file parses.
. "$SRC/tests/daemon/lib.sh"
setup_tree 'interval = 100ms\ngrace = 300ms\ncooldown = 1min\nalert-hook = '"$TMP"'/etc/alert'
mkdir hook
printf '#!/bin/sh\nenv | sort > %s/hook/"$DMABUFCTL_EVENT$(echo "$DMABUFCTL_CGROUP" | tr / _)"\n' "$TMP" > etc/alert
chmod 755 etc/alert
start_daemon
# Every hook run listed below, written (a hook still running when the case
# stops dmabufd is killed with it).
all_hooks_written() {
        for f in kill_apps.slice kill_system.slice_camera-hal.service over_ over_init.scope over_media.slice \
                over_system.slice_dmabufd.service over_system.slice_sshd.service warn_user.slice_user-1000.slice; do
                [ -s "hook/$f" ] || return 1
        done
}
waitfor 60 all_hooks_written
waitfor 30 'grep -q "dmabufd_actions_total{cgroup=\"/apps.slice\",policy=\"apps\",action=\"kill\"} 1" run/metrics.prom'
stop_daemon
echo "killed:"; find tree -name cgroup.kill -size +0 | sed 's|^tree||; s|/cgroup.kill$||' | sort
echo "frozen:"; grep -l '^1' $(find tree -name cgroup.freeze) | sed 's|^tree||; s|/cgroup.freeze$||' | sort
echo "hook runs:"; ls hook | sort
echo "hook environment of the camera kill:"; cat hook/kill_system.slice_camera-hal.service
echo "hook environment of the protected sshd:"; cat hook/over_system.slice_sshd.service
check_metrics run/metrics.prom
grep -o "EVENT=kill CGROUP=[^ ]*" log | sort
