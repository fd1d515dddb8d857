# --once lists what dmabufd froze from its records: the cgroup path in a
# record is a name whoever made the cgroup chose (ESC, C1 CSI, a newline,
# bytes that are no UTF-8) and is escaped as every name is.
mkdir -m 0700 "$DMABUFD_STATE_DIR"
printf 'id=4242\npolicy=media\npid=999999\nstart=1\npath=/media.slice/evil\033]0;owned\007\302\2332J\377\nx.service\n' > "$DMABUFD_STATE_DIR/4242"
chmod 0600 "$DMABUFD_STATE_DIR/4242"
DMABUFCTL_PROC_ROOT=$FIX/proc-daemon "$DMABUFD" --once --root "$FIX/cgroup-daemon" --config "$FIX/daemon.conf" -o CGROUP 2>/dev/null |
        grep -a '^frozen by'
