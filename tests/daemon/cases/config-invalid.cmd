# An invalid configuration: every problem as FILE:LINE: message, exit 1.
printf '[daemon]\ninterval = 1\n\n[policy:a]\ncgroup = /a\ndmabuf.max = lots\n' > bad.conf
$DMABUFD --once --root $FIX/cgroup-daemon --config bad.conf
