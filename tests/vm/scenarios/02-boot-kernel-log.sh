#!/bin/sh
# vm: accounting=on,off timeout=60
# No kernel report (KASAN, lockdep, a WARNING, a list corruption...) while
# the VM booted. /init clears the log before each scenario and judges only
# what the scenario itself caused, so reports from the boot would go
# unseen; /dev/kmsg still holds them (clearing is for syslog readers only).
# Mostly for the debug kernel (vm-debug), where the patched code runs
# under KASAN and lockdep from the first heap allocation on.
. /usr/share/vm/lib.sh
need /dev/kmsg
# Keep in step with KERNEL_REPORT in /init.
report='WARNING:|BUG:|kernel BUG|Oops|general protection|KASAN:|UBSAN:|suspected memory leak|unreferenced object|circular locking|recursive locking|inconsistent lock state|Kernel panic|list_add corruption|list_del corruption|refcount_t:'
# /dev/kmsg blocks at its end: read what is there, then stop.
timeout 3 cat /dev/kmsg >kmsg.log 2>/dev/null
lines=$(wc -l <kmsg.log)
first=$(head -n1 kmsg.log | cut -d';' -f1)
[ "$lines" -gt 0 ] || fail "nothing read from /dev/kmsg"
echo "read $lines records of the kernel log (first: $first)"
if grep -E "$report" kmsg.log >reports.log; then
	cut -d';' -f2- kmsg.log | tail -n 80
	fail "the kernel reported during boot: $(head -n1 reports.log | cut -d';' -f2-)"
fi
echo "no kernel report since boot"
