# The same decisions as once-bystanders in JSON: every alert-only and
# protected decision carries its why, every other one null.
"$FIX/make-attacks.sh" att
DMABUFCTL_PROC_ROOT=att/proc $DMABUFD --once --json --root att/cgroup --config att/dmabufctl.conf
