#!/bin/bash
# Runs one golden CLI case: tests/cli/cases/NAME.cmd is a bash snippet run
# with $DMABUFCTL (the binary), $FIX (tests/fixtures), $TMP (a scratch
# directory) and $SRC (the source root). Its stdout, stderr and exit status
# must equal NAME.out, NAME.err and NAME.rc (a missing .out/.err means
# empty). Environment is cleared of DMABUFCTL_* first. A case exiting 77
# (when its .rc does not expect 77) is skipped: cases that must switch
# users start with `need_root`.
# Usage: run-case.sh DMABUFCTL SRCDIR NAME      (UPDATE_GOLDEN=1 rewrites them)
# $CASES_DIR picks another directory of cases (tests/daemon/cases, which
# also get $DMABUFD, the daemon).
set -u
export DMABUFCTL=$1 SRC=$2
name=$3
cases=${CASES_DIR:-$SRC/tests/cli/cases}
export DMABUFD=${DMABUFD:-}
export FIX=$SRC/tests/fixtures
TMP=$(mktemp -d)
export TMP
trap 'rm -rf "$TMP"' EXIT
unset DMABUFCTL_CGROUP_ROOT DMABUFCTL_PROC_ROOT DMABUFCTL_SYSFS_ROOT
# dmabufd keeps its freeze records here, never in the host's /run/dmabufd.
export DMABUFD_STATE_DIR=$TMP/dmabufd
# No dma-heap to probe (kcaps' DMA_HEAP_FLAG_CHARGE_PIDFD probe): the host's
# kernel must not change what a fixture case prints.
export DMABUFCTL_DEV_ROOT=$TMP/dev
export LC_ALL=C
need_root() {
        [ "$(id -u)" -eq 0 ] || { echo "skipped: needs root to run as another user (setpriv)" >&2; exit 77; }
}
export -f need_root
# on_tty CMD ARGS...: CMD with a terminal (script(1)'s pty) for stdout, as
# plain text (TERM=dumb: no colour; the pty's \r dropped); its stderr stays
# the case's. Tables are cut to $COLUMNS on a terminal only.
on_tty() {
        local c
        printf -v c '%q ' "$@"
        SHELL=/bin/bash TERM=dumb script -qec "$c 2>&3" /dev/null 3>&2 | tr -d '\r'
}
export -f on_tty

(cd "$TMP" && bash -e "$cases/$name.cmd") > "$TMP/.out.raw" 2> "$TMP/.err.raw"
rc=$?
# A case that needs what this run lacks (root, for setpriv) exits 77 first.
if [ $rc -eq 77 ] && ! grep -qx 77 "$cases/$name.rc" 2>/dev/null; then
        cat "$TMP/.err.raw" >&2
        exit 77
fi
echo $rc > "$TMP/.rc"
# Golden files hold no absolute paths of this checkout or of the scratch dir.
for k in out err; do
        sed -e "s|$TMP|@TMP@|g" -e "s|$SRC|@SRC@|g" "$TMP/.$k.raw" > "$TMP/.$k"
done

if [ "${UPDATE_GOLDEN:-}" = 1 ]; then
        cp "$TMP/.out" "$cases/$name.out"
        cp "$TMP/.err" "$cases/$name.err"
        cp "$TMP/.rc" "$cases/$name.rc"
        [ -s "$cases/$name.out" ] || rm -f "$cases/$name.out"
        [ -s "$cases/$name.err" ] || rm -f "$cases/$name.err"
        exit 0
fi

fail=0
for k in out err rc; do
        want=$cases/$name.$k
        [ -e "$want" ] || want=/dev/null
        if ! diff -u --label "expected $name.$k" --label "actual $name.$k" "$want" "$TMP/.$k"; then
                fail=1
        fi
done
exit $fail
