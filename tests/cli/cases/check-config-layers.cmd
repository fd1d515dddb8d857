# The configuration contract's layers, systemd style: the main file of
# /etc, else /usr/lib's; policies.d of /usr/lib, /etc and /run, a name in
# /etc masking /usr/lib's, /run masking both, a symlink to /dev/null
# masking for good; the survivors read in lexical order of their names.
# check-config and dmabufd --once say what they read, in order.
mkdir -p usr/policies.d etc/policies.d run/policies.d
printf '[daemon]\ngrace = 5s\n' > usr/dmabufctl.conf
printf '[policy:vendor]\ncgroup = /vendor.slice\ndmabuf.max = 1G\n' > usr/policies.d/10-vendor.conf
printf '[policy:shared]\ncgroup = /usr.slice\ndmabuf.max = 1G\n' > usr/policies.d/50-shared.conf
printf '[policy:masked]\ncgroup = /masked.slice\ndmabuf.max = 1G\n' > usr/policies.d/60-masked.conf
printf '[policy:shared]\ncgroup = /etc.slice\ndmabuf.max = 2G\n' > etc/policies.d/50-shared.conf
printf '[policy:admin]\ncgroup = /admin.slice\ndmabuf.max = 1G\n' > etc/policies.d/20-admin.conf
ln -s /dev/null etc/policies.d/60-masked.conf
printf '[policy:early]\ncgroup = /early.slice\ndmabuf.max = 1G\n' > run/policies.d/05-early.conf
printf '[policy:admin]\ncgroup = /run.slice\ndmabuf.max = 1G\n' > run/policies.d/20-admin.conf
export DMABUFCTL_VENDOR_DIR=$PWD/usr DMABUFCTL_CONFIG_DIR=$PWD/etc DMABUFCTL_RUNTIME_DIR=$PWD/run
"$DMABUFCTL" check-config
echo "--- /etc's main file replaces the vendor's; masked with /dev/null, neither is read"
printf '[daemon]\ngrace = 7s\n' > etc/dmabufctl.conf
"$DMABUFCTL" check-config | head -1
rm etc/dmabufctl.conf && ln -s /dev/null etc/dmabufctl.conf
"$DMABUFCTL" check-config | head -1
echo "--- --config PATH: its own policies.d only"
"$DMABUFCTL" check-config --config usr/dmabufctl.conf
