#!/bin/sh
# The commented-out examples of conf/dmabufctl.conf ('#' directly followed
# by a key or a section) must be valid too, once uncommented.
# Usage: example-uncommented.sh DMABUFCTL EXAMPLE
set -eu
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sed -E 's/^#([^ #])/\1/' "$2" > "$tmp/dmabufctl.conf"
grep -q '^\[policy:' "$tmp/dmabufctl.conf" || { echo "no example policies found" >&2; exit 1; }
exec "$1" check-config "$tmp/dmabufctl.conf"
