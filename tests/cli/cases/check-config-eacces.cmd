need_root
# As an unprivileged user: an unreadable main file and an unreadable drop-in
# are each named with EACCES, and the readable drop-in is still checked.
chmod 755 "$TMP"
cp "$DMABUFCTL" ./dmabufctl
mkdir -p conf/policies.d
printf '[policy:a]\ncgroup = /a\n' > conf/dmabufctl.conf
printf '[policy:b]\ncgroup = /b\n' > conf/policies.d/10-secret.conf
printf '[policy:c]\ncgroup = /a\n' > conf/policies.d/20-open.conf
chmod -R a+rX conf dmabufctl
chmod 000 conf/dmabufctl.conf conf/policies.d/10-secret.conf
setpriv --reuid=65534 --regid=65534 --clear-groups ./dmabufctl check-config conf/dmabufctl.conf
