# SIGHUP with a broken configuration keeps the old policies (FILE:LINE
# reported); a good one takes effect.
. "$SRC/tests/daemon/lib.sh"
setup_tree 'interval = 100ms\ngrace = 10min'
start_daemon
waitfor 30 '[ -s run/metrics.prom ]'
cp etc/dmabufctl.conf good.conf
printf '\n[policy:broken]\ncgroup = /idle.slice\ndmabuf.max = lots\n' >> etc/dmabufctl.conf
kill -HUP $DAEMON
waitfor 30 'grep -q "config-rejected" log'
grep -o 'etc/dmabufctl.conf:[0-9]*: dmabuf.max: .*' log
sleep 0.3
grep -o 'dmabufd_policy_dmabuf_limit_bytes{policy="[a-z]*"}' run/metrics.prom | sort
cp good.conf etc/dmabufctl.conf
printf '\n[policy:extra]\ncgroup = /user.slice\ndmabuf.max = 1G\n' >> etc/dmabufctl.conf
kill -HUP $DAEMON
waitfor 30 'grep -q "config-reloaded" log'
waitfor 30 'grep -q "policy=\"extra\"" run/metrics.prom'
grep -o 'dmabufd_cgroup_dmabuf_bytes{cgroup="/user.slice",policy="[a-z]*"}' run/metrics.prom
grep -o 'configuration .* reloaded: .*cgroups' log | sed "s|$TMP|@TMP@|"
stop_daemon
