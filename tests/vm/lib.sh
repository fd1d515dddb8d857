# Shell helpers for VM scenarios (installed at /usr/share/vm/lib.sh).
# Source it with `. /usr/share/vm/lib.sh`. Busybox sh, no bashisms.
#
# Environment set by /init: VM_ACCOUNTING (on or off), VM_SCENARIO (the
# scenario's name). The cgroup2 root is /sys/fs/cgroup with +memory +pids in
# its subtree_control; the scenario runs from an empty /tmp/scenario.

CGROOT=/sys/fs/cgroup

# skip REASON...: ends the scenario as skipped (exit 77).
skip() {
	echo "SKIP: $*"
	exit 77
}

# fail REASON...: ends the scenario as failed.
fail() {
	echo "FAIL: $*"
	exit 1
}

# need FILE...: skips the scenario unless every FILE exists.
need() {
	for f in "$@"; do
		[ -e "$f" ] || skip "$f does not exist"
	done
}

# wait_for SECONDS COMMAND...: runs COMMAND every 0.1 s until it succeeds;
# fails the scenario when it has not within SECONDS. Prints how long it took.
wait_for() {
	_limit=$1
	shift
	_start=$(cut -d' ' -f1 /proc/uptime)
	while ! "$@"; do
		_now=$(cut -d' ' -f1 /proc/uptime)
		if awk -v a="$_start" -v b="$_now" -v l="$_limit" 'BEGIN { exit !(b - a > l) }'; then
			fail "not true after ${_limit}s: $*"
		fi
		sleep 0.1
	done
	_now=$(cut -d' ' -f1 /proc/uptime)
	awk -v a="$_start" -v b="$_now" -v c="$*" 'BEGIN { printf "waited %.2fs for: %s\n", b - a, c }'
}

# cg_key FILE KEY: prints KEY's value in a flat-keyed file such as
# memory.stat or memory.events (nothing if absent).
cg_key() {
	awk -v k="$2" '$1 == k { print $2; found = 1 } END { exit !found }' "$1"
}

# dma-buf scenarios (the allocator, double-hop, refusal and cycle ones).
M=1048576

# need_dmabuf_stack: the system heap, the series' dmabuf key and dmabufctl.
need_dmabuf_stack() {
	need /dev/dma_heap/system
	cg_key $CGROOT/memory.stat dmabuf >/dev/null || skip "no dmabuf key in memory.stat (kernel without the series)"
	command -v dmabufctl >/dev/null || skip "dmabufctl is not on PATH (tests/vm/run --bin build/src/cli/dmabufctl)"
}

# dmabuf CGROUP: its dmabuf figure from memory.stat.
dmabuf() { cg_key "$CGROOT$1/memory.stat" dmabuf; }

# charged BYTES: what a cgroup should show for BYTES given to it.
charged() { if [ "$VM_ACCOUNTING" = on ]; then echo "$1"; else echo 0; fi; }

# expect_dmabuf CGROUP BYTES: memory.stat is flushed lazily, so poll.
expect_dmabuf() {
	_i=0
	while [ "$(dmabuf "$1")" != "$2" ]; do
		_i=$((_i + 1))
		[ $_i -le 100 ] || fail "$1: dmabuf is $(dmabuf "$1"), expected $2"
		sleep 0.1
	done
	echo "  $1: dmabuf $2 (memory.stat)"
}

# field NAME: the value of NAME=VALUE among the words of stdin (a client's
# answer).
field() { tr " " "\n" | sed -n "s/^$1=//p" | head -n1; }

# expect_charged_id ANSWER CGROUP: the client's answer to alloc names CGROUP
# (its inode) as the buffer's charged_cgroup_id with accounting on, none off.
expect_charged_id() {
	_id=$(echo "$1" | field charged_cgroup_id)
	if [ "$VM_ACCOUNTING" = on ]; then _want=$(stat -c %i "$CGROOT$2"); else _want=none; fi
	[ "$_id" = "$_want" ] || fail "fdinfo says charged_cgroup_id=$_id, expected $_want ($2, accounting $VM_ACCOUNTING)"
}

# ctl ARG...: the client helper's control command, shown as it runs.
ctl() { echo "\$ client ctl $*" | sed "s|$PWD/||"; client ctl "$@"; }

# debug_kernel: true on the debug kernel (the vm-debug suite: KASAN, lockdep
# and kmemleak, which kernel-debug.config alone turns on), where the
# scenarios that run mainline's own long selftests run only the cases that
# reach the series' code. Mounts debugfs if it is not.
debug_kernel() {
	if [ -d /sys/kernel/debug ] && ! [ -e /sys/kernel/debug/kmemleak ]; then
		mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
	fi
	[ -e /sys/kernel/debug/kmemleak ]
}

# kselftest PROGRAM [ARG...] [--known CASE...] [--flaky CASE...]: runs a
# kselftest program and judges its TAP output. Passes when no case fails,
# apart from
#  - the cases named after --known (failures the scenario explains), each
#    reported on its own line (and reported too when one passes);
#  - the cases named after --flaky (timing-dependent under emulation) that
#    pass when run again, up to twice, as `PROGRAM ARG... CASE` (a program
#    that ignores the name runs everything again; only CASE's line counts).
kselftest() {
	_args=
	_known=
	_flaky=
	_list=
	for _a in "$@"; do
		case "$_a" in
		--known) _list=known ;;
		--flaky) _list=flaky ;;
		*)
			case "$_list" in
			known) _known="$_known $_a" ;;
			flaky) _flaky="$_flaky $_a" ;;
			*) _args="$_args $_a" ;;
			esac
			;;
		esac
	done
	# shellcheck disable=SC2086 # word splitting of the argument list is meant
	$_args >/tmp/kselftest.out 2>&1
	_rc=$?
	cat /tmp/kselftest.out
	_recovered=
	for _case in $_flaky; do
		grep -qE "^not ok [0-9]+ $_case( |\$)" /tmp/kselftest.out || continue
		for _try in 1 2; do
			echo "flaky: $_case failed; running it again ($_try of 2)"
			# shellcheck disable=SC2086
			$_args "$_case" >/tmp/kselftest.retry 2>&1
			grep -E "^(not )?ok [0-9]+ $_case( |\$)" /tmp/kselftest.retry | head -n1
			if grep -qE "^ok [0-9]+ $_case( |\$)" /tmp/kselftest.retry; then
				_recovered="$_recovered $_case"
				break
			fi
		done
	done
	kselftest_judge "$_rc" "$_known" "$_recovered" </tmp/kselftest.out
}

# kselftest_judge EXIT_STATUS KNOWN RECOVERED < TAP: the verdict (see kselftest).
kselftest_judge() {
	# A kselftest that forks with stdout on a file repeats its buffered
	# lines in every child: count each numbered result once.
	awk -v rc="$1" -v known="$2" -v recovered="$3" '
		BEGIN {
			n = split(known, k, " "); for (i = 1; i <= n; i++) isknown[k[i]] = 1
			n = split(recovered, k, " "); for (i = 1; i <= n; i++) isrecovered[k[i]] = 1
		}
		/^1\.\.[0-9]+$/ && !plan { plan = substr($0, 4) + 0; next }
		/^not ok [0-9]+ / {
			if (seen[$3]++) next
			results++
			name = $4
			if (name in isrecovered) { pass++; flaky++; print "flaky: " name " failed, then passed when run again" }
			else if (name in isknown) { kfail++; print "known failure: " name }
			else { bad++; print "unexpected failure: " name }
			next
		}
		/^ok [0-9]+ / {
			if (seen[$2]++) next
			results++
			if (/# SKIP/) { skipped++; next }
			pass++
			if ($3 in isknown) print "note: known failure now passes: " $3
			next
		}
		END {
			printf "summary: %d passed (%d on a second run), %d failed, %d known failures, %d skipped%s (exit status %d)\n",
				pass, flaky, bad, kfail, skipped, plan ? " of " plan : "", rc
			if (results < plan) { print "missing results: " plan - results " of " plan; exit 1 }
			if (bad) exit 1
			# kselftest exit codes: 0 pass, 1 fail, 2 xfail, 3 xpass, 4 skip;
			# anything else is a crash or a signal.
			if (rc > 4) { print "the program died (exit status " rc ")"; exit 1 }
			if (rc != 0 && rc != 4 && !kfail && !flaky) exit 1
			if (!pass && skipped) exit 77
		}'
}
