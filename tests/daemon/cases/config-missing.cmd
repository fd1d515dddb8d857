$DMABUFD --once --root $FIX/cgroup-daemon --config nonexistent.conf
