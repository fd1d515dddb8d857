#!/bin/bash
# One check-config golden case. In tests/check-config, NAME.rc holds the
# expected exit status and NAME.err the expected stderr (missing: empty);
# stdout must stay empty. The configuration checked is NAME.conf, or
# NAME/dmabufctl.conf with the policies.d beside it; NAME.args, when
# present, replaces the arguments. Paths are relative to the case
# directory, so the golden text holds no checkout path.
# Usage: run-case.sh DMABUFCTL CASEDIR NAME      (UPDATE_GOLDEN=1 rewrites)
set -u
dmabufctl=$1
dir=$2
name=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
unset DMABUFCTL_CGROUP_ROOT DMABUFCTL_PROC_ROOT DMABUFCTL_SYSFS_ROOT
export LC_ALL=C

cd "$dir" || exit 1
if [ -e "$name.args" ]; then
        read -r -a args < "$name.args"
elif [ -d "$name" ]; then
        args=("$name/dmabufctl.conf")
else
        args=("$name.conf")
fi
"$dmabufctl" check-config "${args[@]}" > "$tmp/out" 2> "$tmp/err"
echo $? > "$tmp/rc"

if [ "${UPDATE_GOLDEN:-}" = 1 ]; then
        cp "$tmp/err" "$name.err"
        cp "$tmp/rc" "$name.rc"
        [ -s "$name.err" ] || rm -f "$name.err"
        exit 0
fi
fail=0
want=$name.err
[ -e "$want" ] || want=/dev/null
diff -u --label "expected $name.err" --label "actual stderr" "$want" "$tmp/err" || fail=1
diff -u --label "expected $name.rc" --label "actual exit status" "$name.rc" "$tmp/rc" || fail=1
diff -u --label "expected stdout" --label "actual stdout" /dev/null "$tmp/out" || fail=1
exit $fail
