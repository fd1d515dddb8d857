# A root-owned hook whose "#!" names an interpreter that another user owns,
# or reaches a trusted one through a symlink in that user's directory, is
# refused at load: the kernel would run that path as root. So are a
# relative interpreter and env(1), which would search PATH. Nothing runs.
need_root
mkdir etc nb && sed "s|^\[daemon\]|[daemon]\nalert-hook = $TMP/etc/alert|" $FIX/daemon.conf > etc/dmabufctl.conf
cp /usr/bin/dash interp && chown nobody interp
printf '#!%s\ntouch %s/ran\n' "$TMP/interp" "$TMP" > etc/alert && chmod 755 etc/alert
$DMABUFD --once --root $FIX/cgroup-daemon --config etc/dmabufctl.conf || echo "rc $?"
ln -s /usr/bin/dash nb/sh && chown -h nobody nb/sh && chown nobody nb
printf '#!%s\ntouch %s/ran\n' "$TMP/nb/sh" "$TMP" > etc/alert
$DMABUFD --once --root $FIX/cgroup-daemon --config etc/dmabufctl.conf || echo "rc $?"
printf '#!  sh -e\ntouch %s/ran\n' "$TMP" > etc/alert
$DMABUFD --once --root $FIX/cgroup-daemon --config etc/dmabufctl.conf || echo "rc $?"
[ -e ran ] && echo "the hook ran" || echo "nothing ran"
printf '#!/usr/bin/env sh\ntouch %s/ran\n' "$TMP" > etc/alert
$DMABUFD --once --root $FIX/cgroup-daemon --config etc/dmabufctl.conf || echo "rc $?"
[ -e ran ] && echo "the hook ran" || echo "nothing ran after env either"
