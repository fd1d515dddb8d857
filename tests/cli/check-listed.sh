#!/bin/bash
# Fails when tests/cli/cases holds other cases than Meson listed when it
# configured (a new case would otherwise silently not run).
# Usage: check-listed.sh CASEDIR CASE...
dir=$1
shift
export LC_ALL=C
now=$(cd "$dir" && ls -- *.cmd | sed 's/\.cmd$//' | sort)
listed=$(printf '%s\n' "$@" | sort)
[ "$now" = "$listed" ] && exit 0
echo "tests/cli/cases changed since Meson configured; run: meson setup --reconfigure BUILDDIR" >&2
diff -u --label listed --label now <(echo "$listed") <(echo "$now") >&2 2>/dev/null || true
exit 1
