# -d takes a bare number as seconds, as systemd-cgtop -d and systemd's time
# spans do: two frames 0.3 (seconds) apart take at least 300 ms.
export DMABUFCTL_SYSFS_ROOT=$FIX/sys-on
start=$(date +%s%N)
"$DMABUFCTL" --root "$FIX/cgroup-basic" --config "$FIX/basic.conf" top -b -n 2 -d 0.3 -o CGROUP | grep -c '^CGROUP'
end=$(date +%s%N)
[ $(( (end - start) / 1000000 )) -ge 300 ] && echo "waited 0.3 s"
"$DMABUFCTL" --root "$FIX/cgroup-basic" --config "$FIX/basic.conf" top -b -n 1 -d 30 -o CGROUP | head -1
"$DMABUFCTL" --root "$FIX/cgroup-basic" --config "$FIX/basic.conf" top -b -n 1 -d '1min 30' -o CGROUP | head -1
