# Colour on a terminal (script(1) gives a pty), none with NO_COLOR set or
# TERM=dumb, none when stdout is not a terminal.
cmd="DMABUFCTL_SYSFS_ROOT=$FIX/sys-on COLUMNS=200 $DMABUFCTL --root $FIX/cgroup-basic --config $FIX/basic.conf status -o CGROUP,STATE"
echo "terminal:"
TERM=xterm script -qec "$cmd" /dev/null | tr -d '\r' | cat -v
echo "NO_COLOR=1:"
TERM=xterm NO_COLOR=1 script -qec "$cmd" /dev/null | tr -d '\r' | cat -v
echo "TERM=dumb:"
TERM=dumb script -qec "$cmd" /dev/null | tr -d '\r' | cat -v
echo "a pipe:"
TERM=xterm sh -c "$cmd" | cat -v
