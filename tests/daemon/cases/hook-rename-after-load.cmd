# The hook is opened and checked when the configuration is loaded and runs
# from that file: renaming it and putting another program in its place
# afterwards changes nothing until a reload checks the new one.
. "$SRC/tests/daemon/lib.sh"
setup_tree 'interval = 100ms\ngrace = 0s\ncooldown = 1s\nalert-hook = '"$TMP"'/etc/alert'
printf '#!/bin/sh\necho "$DMABUFCTL_EVENT" >> %s/original\n' "$TMP" > etc/alert
chmod 755 etc/alert
start_daemon
waitfor 30 '[ -s original ]'
mv etc/alert etc/alert.old
printf '#!/bin/sh\necho "$DMABUFCTL_EVENT" >> %s/swapped\n' "$TMP" > etc/alert
chmod 755 etc/alert
n=$(wc -l < original)
waitfor 30 '[ $(wc -l < original) -gt $((n + 2)) ]'
[ -e swapped ] && echo "the swapped program ran" || echo "the checked hook still runs, the swapped one never did"
kill -HUP "$DAEMON"
waitfor 30 '[ -s swapped ]'
echo "after a reload the new hook (checked again) runs"
stop_daemon
