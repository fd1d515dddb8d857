#!/bin/sh
# vm: accounting=on,off
# dmabufctl buffers on real dma-bufs from the system heap: an allocator in
# /alloc hands a 4M buffer, charged to its client in /app-a (charge_pid_fd),
# to three clients by SCM_RIGHTS: one keeps two fds, one only maps it, one in
# /app-b keeps an fd and a mapping; a further 1M buffer is held by a process
# of /app-b through a mapping only. Every figure of `buffers --json` is held
# against what the kernel says: fdinfo (size, exp_name, charged_cgroup_id),
# /proc/PID/fdinfo and maps (who holds it how), /proc/PID/cgroup, the cgroup
# directory's inode, and memory.stat's dmabuf.
. /usr/share/vm/lib.sh

command -v dmabufctl >/dev/null || skip "dmabufctl is not in the VM (tests/vm/run --bin build/src/cli/dmabufctl)"
command -v dmabuf-share >/dev/null || skip "the dmabuf-share helper was not built"
need /dev/dma_heap/system
M=1048576
sock=$PWD/sock

for c in alloc app-a app-b; do
	mkdir $CGROOT/$c || fail "cannot create $CGROOT/$c"
done
# run_in CGROUP CMD...: CMD in that cgroup (the shell moves itself, then execs)
run_in() {
	_cg=$1
	shift
	sh -c 'echo $$ > "$0/cgroup.procs" && exec "$@"' "$CGROOT/$_cg" "$@"
}
field() { awk -v n="$2" '/^(ready|serving)/ { print $n }' "$1"; }

run_in alloc dmabuf-share serve "$sock" > serve.out 2>&1 &
wait_for 20 grep -q serving serve.out
SRV=$(field serve.out 2)
run_in app-a dmabuf-share client "$sock" "new $((4 * M)) keep" fd2 > a1.out 2>&1 &
wait_for 20 grep -q ready a1.out
INO=$(field a1.out 2)
A1=$(field a1.out 4)
run_in app-a dmabuf-share client "$sock" "get $INO" map > a2.out 2>&1 &
run_in app-b dmabuf-share client "$sock" "get $INO" fdmap > b.out 2>&1 &
run_in app-b dmabuf-share client "$sock" "new $M drop" map > c.out 2>&1 &
wait_for 20 grep -q ready a2.out
wait_for 20 grep -q ready b.out
wait_for 20 grep -q ready c.out
A2=$(field a2.out 4)
B=$(field b.out 4)
C=$(field c.out 4)
INO2=$(field c.out 2)
cat serve.out a1.out a2.out b.out c.out
echo "allocator $SRV; buffer $INO held by $A1 (2 fds), $A2 (map), $B (fd+map); buffer $INO2 mapped by $C"

# --- what the kernel says -------------------------------------------------
# isbuf FDINFO INO: that fd is the dma-buf INO (inode numbers of the dma-buf
# filesystem are small and repeat on other filesystems: exp_name tells)
isbuf() { grep -q "^ino:[[:space:]]*$2\$" "$1" 2>/dev/null && grep -q "^exp_name:" "$1"; }
# kfd PID INO: the fdinfo text of one of PID's fds to INO
kfd() {
	for f in /proc/$1/fdinfo/*; do
		if isbuf "$f" "$2"; then
			cat "$f"
			return 0
		fi
	done
	return 1
}
# kfds / kmaps PID INO: PID's fds to INO, and its mappings of INO
kfds() { n=0; for f in /proc/$1/fdinfo/*; do isbuf "$f" "$2" && n=$((n + 1)); done; echo $n; }
kmaps() { awk -v i="$2" '$5 == i && $6 ~ /^\/dmabuf/ { n++ } END { print n + 0 }' /proc/$1/maps; }
kcg() { sed -n 's/^0:://p' /proc/$1/cgroup; }

kfd $SRV $INO > fdinfo.txt || fail "the allocator has no fd of $INO"
cat fdinfo.txt
ksize=$(awk '$1 == "size:" { print $2 }' fdinfo.txt)
kexp=$(awk '$1 == "exp_name:" { print $2 }' fdinfo.txt)
kcharged=$(awk '$1 == "charged_cgroup_id:" { print $2 }' fdinfo.txt)
[ "$ksize" = $((4 * M)) ] || fail "fdinfo says size $ksize"
appa_id=$(stat -c %i $CGROOT/app-a)
if [ "$VM_ACCOUNTING" = on ]; then
	[ "$kcharged" = "$appa_id" ] || fail "fdinfo charged_cgroup_id is '$kcharged', /app-a is $appa_id"
	want_charged=/app-a
	wait_for 10 sh -c "[ \"\$(awk '\$1 == \"dmabuf\" { print \$2 }' $CGROOT/app-a/memory.stat)\" = $((4 * M)) ]"
else
	[ -z "$kcharged" ] || fail "accounting is off, yet fdinfo says charged_cgroup_id $kcharged"
	want_charged=null
fi

# --- what dmabufctl says -----------------------------------------------------
dmabufctl buffers --json > out.json || fail "dmabufctl buffers failed"
dmabufctl buffers
# Flatten the pretty-printed JSON (one key per line) into
#   B INODE SIZE EXPORTER CHARGED / H INODE PID CGROUP FDS MAPS /
#   P PID CGROUP RSS PSS / C CGROUP RSS PSS CHARGED
awk '
	function val(s) { sub(/^[^:]*: /, "", s); gsub(/[",]/, "", s); return s }
	/^  "buffers"/ { sec = "b" }
	/^  "processes"/ { sec = "p" }
	/^  "cgroups"/ { sec = "c" }
	sec == "b" && /^      "inode"/ { ino = val($0) }
	sec == "b" && /^      "size"/ { size = val($0) }
	sec == "b" && /^      "exporter"/ { exporter = val($0) }
	sec == "b" && /^      "charged_cgroup"/ { print "B", ino, size, exporter, val($0) }
	sec == "b" && /^          "pid"/ { pid = val($0) }
	sec == "b" && /^          "cgroup"/ { cg = val($0) }
	sec == "b" && /^          "fds"/ { fds = val($0) }
	sec == "b" && /^          "maps"/ { print "H", ino, pid, cg, fds, val($0) }
	sec == "p" && /^      "pid"/ { pid = val($0) }
	sec == "p" && /^      "cgroup"/ { cg = val($0) }
	sec == "p" && /^      "rss"/ { rss = val($0) }
	sec == "p" && /^      "pss"/ { print "P", pid, cg, rss, val($0) }
	sec == "c" && /^      "cgroup"/ { cg = val($0) }
	sec == "c" && /^      "rss"/ { rss = val($0) }
	sec == "c" && /^      "pss"/ { pss = val($0) }
	sec == "c" && /^      "charged"/ { print "C", cg, rss, pss, val($0) }
' out.json > flat.txt
cat flat.txt
has() { grep -qx "$1" flat.txt || fail "buffers --json lacks: $1"; echo "ok: $1"; }

has "B $INO $ksize $kexp $want_charged"
for p in $SRV $A1 $A2 $B; do
	has "H $INO $p $(kcg $p) $(kfds $p $INO) $(kmaps $p $INO)"
done
[ "$(grep -c "^H $INO " flat.txt)" = 4 ] || fail "buffer $INO should have exactly 4 holders"
# the buffer held only through a mapping: no fd anywhere, so no fdinfo: its
# size is its mapping's and its exporter and charge are unknown
[ "$(kfds $C $INO2)" = 0 ] && [ "$(kmaps $C $INO2)" = 1 ] || fail "the kernel disagrees: $C should only map $INO2"
has "B $INO2 $M null null"
has "H $INO2 $C /app-b 0 1"
# PSS: 4M shared by 4 processes
has "P $A2 /app-a $((4 * M)) $M"
has "P $C /app-b $M $M"
has "P $B /app-b $((4 * M)) $M"
# per cgroup: /app-a holds the 4M buffer once (two processes), and is what
# the kernel charged it to (memory.stat agrees, above)
if [ "$VM_ACCOUNTING" = on ]; then
	has "C /app-a $((4 * M)) $((2 * M)) $((4 * M))"
else
	has "C /app-a $((4 * M)) $((2 * M)) 0"
fi
has "C /app-b $((5 * M)) $((2 * M)) 0"
has "C /alloc $((4 * M)) $M 0"

# --pid: that process's buffers, with every holder
dmabufctl buffers --json --pid $A2 > pid.json || fail "buffers --pid failed"
[ "$(grep -c '^      "inode"' pid.json)" = 1 ] || fail "--pid $A2 should show one buffer"
[ "$(grep -c '^          "pid"' pid.json)" = 4 ] || fail "--pid $A2 should show its buffer's 4 holders"
echo "ok: --pid"
dmabufctl buffers --pid 999999 2>err; rc=$?
cat err
[ $rc = 1 ] && grep -q "no process 999999" err || fail "--pid of no process: rc $rc"

# as nobody: the others' fds are hidden, and it says so
if su -s /bin/sh nobody -c true 2>/dev/null; then
	su -s /bin/sh nobody -c "dmabufctl buffers" > /dev/null 2>err; rc=$?
	cat err
	[ $rc = 0 ] && grep -q "could not read the fds or maps of" err || fail "as nobody: rc $rc, no note"
fi
exit 0
