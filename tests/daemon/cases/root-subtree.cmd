# --root a cgroup inside a real cgroup2 hierarchy is refused, and so is a
# bind mount of one (its mountinfo root is not "/"): dmabufd would not see
# the cgroups that hold itself. (A fixture tree is not on cgroup2fs and is
# taken as a whole tree.)
need_root
mnt=$(awk '$9 == "cgroup2" && $4 == "/" { print $5; exit }' /proc/self/mountinfo)
[ -n "$mnt" ] || { echo "skipped: no cgroup2 mount" >&2; exit 77; }
sub=$mnt/dbc-root-subtree-$$
mkdir "$sub" bind
trap 'umount bind 2> /dev/null; rmdir "$sub"' EXIT
$DMABUFD --once --root "$sub" --config $FIX/daemon.conf 2>&1 | sed "s|$sub|SUBTREE|; s|$mnt|MOUNT|"
echo "exit ${PIPESTATUS[0]}"
if mount --bind "$sub" bind 2> /dev/null; then
        $DMABUFD --once --root bind --config $FIX/daemon.conf 2>&1 | sed "s|$mnt|MOUNT|"
        echo "exit ${PIPESTATUS[0]}"
        umount bind
else
        # No mounting here (a container): the same answer, for the golden file.
        echo "dmabufd: bind is a cgroup inside the cgroup2 hierarchy mounted at MOUNT, not its root: dmabufd polices the whole tree (pass the mount point)"
        echo "exit 1"
fi
# The mount point itself is not refused as a subtree (whatever else this
# host lacks, such as the memory controller).
$DMABUFD --once --root "$mnt" --config $FIX/empty.conf 2>&1 | grep -c "not its root" || true
