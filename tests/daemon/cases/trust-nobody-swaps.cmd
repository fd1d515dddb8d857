need_root
# User nobody owns a directory above the hook, and another a drop-in is
# symlinked to. Swapping the hook's directory after start (the hook used to
# be re-opened by path at each alert) or a symlinked drop-in must get
# nothing of nobody's run or read as root: both are refused at load, and
# nothing runs.
. "$SRC/tests/daemon/lib.sh"
chmod 755 "$TMP"
mkdir -p home/hooks && chown 65534:65534 home
printf '#!/bin/sh\ntouch %s/root-hook-ran\n' "$TMP" > home/hooks/alert && chmod 755 home/hooks/alert
setup_tree 'interval = 100ms\ngrace = 0s\ncooldown = 0s\nalert-hook = '"$TMP"'/home/hooks/alert'
start_daemon
sleep 1
setpriv --reuid=65534 --regid=65534 --clear-groups sh -c \
        "mv home/hooks home/hooks.old && mkdir home/hooks && printf '#!/bin/sh\ntouch $TMP/pwned\n' > home/hooks/alert && chmod 755 home/hooks/alert"
sleep 2
kill "$DAEMON" 2>/dev/null || true
wait "$DAEMON" || echo "dmabufd exited with status $?"
[ -e pwned ] && echo "nobody's hook ran as root" || echo "nothing of nobody's ran"
sed "s|$TMP|@TMP@|g" log | grep -v '^dmabufd: configuration read'

echo "--- a drop-in symlinked to nobody's file"
printf '[policy:extra]\ncgroup = /idle.slice/*\n' > home/extra.conf && chown 65534 home/extra.conf
mkdir -p etc/policies.d && ln -s "$TMP/home/extra.conf" etc/policies.d/50-extra.conf
sed -i '/^alert-hook/d' etc/dmabufctl.conf
DMABUFCTL_PROC_ROOT=$FIX/proc-daemon "$DMABUFD" --once --root tree --config etc/dmabufctl.conf 2>&1 >/dev/null | sed "s|$TMP|@TMP@|g" || true
