# Cgroup names with C1 controls (CSI as UTF-8), ESC sequences and bytes that
# are no UTF-8 reach no terminal raw through libsmartcols: aligned tables in
# the C and a UTF-8 locale, narrow (paths cut from the left) and raw. The
# one escaping helper (escape.h) does it; a raw table encodes its
# backslashes once more, as lsblk -r does.
. "$FIX/make-cgroup-tree.sh"
cg t - - - 0
cg "t/csi$(printf '\xc2\x9b')31m.scope" 4096 max max 1048576
cg "t/esc$(printf '\x1b')]0;owned$(printf '\x07').scope" 4096 max max 1048576
cg "t/bad$(printf '\xff\xfe').scope" 4096 max max 1048576
cg "t/caf$(printf '\xc3\xa9').scope" 4096 max max 1048576
S="$DMABUFCTL --root t --config $FIX/empty.conf status"
export DMABUFCTL_SYSFS_ROOT=$FIX/sys-on
echo "== C, aligned"
$S
echo "== C.UTF-8, aligned"
LC_ALL=C.UTF-8 $S
echo "== C.UTF-8, aligned, 30 columns, no headings"
on_tty env COLUMNS=30 LC_ALL=C.UTF-8 $S -n -o CGROUP,DMABUF
echo "== C.UTF-8, raw"
LC_ALL=C.UTF-8 $S -r
echo "== control bytes in all of that (ESC, BEL, C1 CSI)"
{ $S; LC_ALL=C.UTF-8 $S; on_tty env COLUMNS=30 LC_ALL=C.UTF-8 $S; LC_ALL=C.UTF-8 $S -r; } | LC_ALL=C grep -c $'[\x1b\x07\x9b]' || true
