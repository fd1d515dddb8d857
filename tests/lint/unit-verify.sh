#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# systemd-analyze verify on the built dmabufd.service, with ExecStart= at the
# built binary (the installed path does not exist yet). It also checks that
# the unit needs no kill binary: ExecReload= must not name one.
# Usage: unit-verify.sh BUILT-UNIT BUILT-DMABUFD
command -v systemd-analyze >/dev/null || { echo "skipped: systemd-analyze is missing (Debian package systemd)"; exit 77; }
set -e
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
sed "s|^ExecStart=.*|ExecStart=$2|" "$1" > "$dir/dmabufd.service"
reload=$(sed -n 's/^ExecReload=//p' "$1")
case $reload in
kill\ * | */kill\ * | [-@:+!]*kill\ *)
        echo "ExecReload=$reload: a kill binary needs procps, which a minimal Debian lacks"; exit 1 ;;
esac
out=$(systemd-analyze verify --man=no "$dir/dmabufd.service" 2>&1) || { echo "$out"; exit 1; }
[ -z "$out" ] || { echo "$out"; exit 1; }
echo "systemd-analyze verify: dmabufd.service clean"
