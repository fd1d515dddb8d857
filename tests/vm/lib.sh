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

# kselftest NAME ARGS... [--known CASE...]: runs a kselftest program and
# reads its TAP output. Passes when no case fails, apart from the cases named
# after --known (failures explained by the scenario), each of which is
# reported on its own line. A known case that passes is reported too.
kselftest() {
	_args=
	_known=
	_in_known=
	for _a in "$@"; do
		if [ "$_a" = --known ]; then
			_in_known=1
		elif [ -n "$_in_known" ]; then
			_known="$_known $_a"
		else
			_args="$_args $_a"
		fi
	done
	# shellcheck disable=SC2086 # word splitting of the argument list is meant
	set -- $_args
	"$@" >/tmp/kselftest.out 2>&1
	_rc=$?
	cat /tmp/kselftest.out
	# A kselftest that forks with stdout on a file repeats its buffered
	# lines in every child: count each numbered result once.
	awk -v known="$_known" -v rc="$_rc" '
		BEGIN { n = split(known, k, " "); for (i = 1; i <= n; i++) isknown[k[i]] = 1 }
		/^1\.\.[0-9]+$/ && !plan { plan = substr($0, 4) + 0; next }
		/^not ok [0-9]+ / {
			if (seen[$3]++) next
			results++
			name = $4
			if (name in isknown) { kfail++; print "known failure: " name }
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
			printf "summary: %d passed, %d failed, %d known failures, %d skipped%s (exit status %d)\n",
				pass, bad, kfail, skipped, plan ? " of " plan : "", rc
			if (results < plan) { print "missing results: " plan - results " of " plan; exit 1 }
			if (bad) exit 1
			# kselftest exit codes: 0 pass, 1 fail, 2 xfail, 3 xpass, 4 skip;
			# anything else is a crash or a signal.
			if (rc > 4) { print "the program died (exit status " rc ")"; exit 1 }
			if (rc != 0 && rc != 4 && !kfail) exit 1
			if (!pass && skipped) exit 77
		}' /tmp/kselftest.out
}
