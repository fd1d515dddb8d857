# --once decides kills and freezes but writes nothing: every file of the
# tree (contents and times) is the same afterwards.
cp -a "$FIX/cgroup-daemon" tree
snap() { find tree -type f -printf '%p %T@ ' -exec sha256sum {} \; | sort; }
snap > before
DMABUFCTL_PROC_ROOT=$FIX/proc-daemon $DMABUFD --once --root tree --config $FIX/daemon.conf > /dev/null
snap > after
cmp before after && echo "tree unchanged"
