# A user names cgroups with a CSI as UTF-8 U+009B and as a lone 0x9b byte,
# an OSC that would retitle the terminal, and bytes that are no UTF-8:
# text escapes them as \xNN, JSON as \u00NN or U+FFFD; nothing raw reaches
# the terminal (checked byte by byte below, besides the golden files).
. "$FIX/make-cgroup-tree.sh"
cg t - - - 0
cg t/user.slice 8192 max max 0
cg "t/user.slice/$(printf 'a\xc2\x9b31mred.scope')" 4096 max max 1048576
cg "t/user.slice/$(printf 'b\x9b2J.scope')" 4096 max max 1048576
cg "t/user.slice/$(printf 'c\x1b]0;owned\x07.scope')" 4096 max max 1048576
cg "t/user.slice/$(printf 'd\xff\xfe\xc3(.scope')" 4096 max max 1048576
: > empty.conf
export DMABUFCTL_SYSFS_ROOT=$FIX/sys-on
"$DMABUFCTL" --root t --config empty.conf status --sort name > text
"$DMABUFCTL" --root t --config empty.conf status --sort name --json > json
cat text json
# no C0 but newline, no DEL, no byte >= 0x80 (every name here is ASCII once escaped)
LC_ALL=C grep -c $'[\x01-\x09\x0b-\x1f\x7f\x80-\xff]' text json || true
