# dmabufd --once: -o/-n/-r shape the text table only, and are refused with
# --json (its JSON has every field); -o +LIST adds to the defaults; an
# unknown column is echoed escaped.
cp -r "$FIX/cgroup-daemon" t
$DMABUFD --once --json -o CGROUP --root t --config "$FIX/daemon.conf" || echo "rc=$?"
$DMABUFD --once --json -r --root t --config "$FIX/daemon.conf" || echo "rc=$?"
$DMABUFD --once -o "$(printf 'X\033[31m')" --root t --config "$FIX/daemon.conf" || echo "rc=$?"
$DMABUFD --once -o +POLICY --root t --config "$FIX/daemon.conf" 2>/dev/null | head -1
