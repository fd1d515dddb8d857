# Format characters in names (a right-to-left override that makes
# "evil<RLO>exe.tset.scope" read as "evilscope.test.exe", a zero-width space
# that makes a twin of zwsp.scope, a byte-order mark, a line separator):
# in a UTF-8 locale the aligned table escapes each as \xNN, as it does a
# control character, and leaves printable UTF-8 (é) as it is.
. "$FIX/make-cgroup-tree.sh"
cg t - - - 0
cg t/user.slice 8192 max max 0
cg "t/user.slice/$(printf 'evil\xe2\x80\xaeexe.tset.scope')" 4096 max max 1048576
cg "t/user.slice/$(printf 'zw\xe2\x80\x8bsp.scope')" 4096 max max 1048576
cg "t/user.slice/$(printf 'bom\xef\xbb\xbf.scope')" 4096 max max 1048576
cg "t/user.slice/$(printf 'ls\xe2\x80\xa8sep.scope')" 4096 max max 1048576
cg "t/user.slice/$(printf 'iso\xe2\x81\xa6late\xe2\x81\xa9.scope')" 4096 max max 1048576
cg "t/user.slice/$(printf 'caf\xc3\xa9.scope')" 4096 max max 1048576
: > empty.conf
export DMABUFCTL_SYSFS_ROOT=$FIX/sys-on
LC_ALL=C.UTF-8 "$DMABUFCTL" --root t --config empty.conf status --sort name -o CGROUP
# nothing above ASCII is left but the é of café
LC_ALL=C.UTF-8 "$DMABUFCTL" --root t --config empty.conf status --sort name -o CGROUP |
        LC_ALL=C grep -v 'caf' | LC_ALL=C grep -c $'[\x80-\xff]' || true
