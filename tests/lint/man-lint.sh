#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The man pages lint clean: mandoc -Tlint says nothing, not even STYLE.
# Usage: man-lint.sh PAGE...
command -v mandoc >/dev/null || { echo "skipped: mandoc is missing (Debian package mandoc)"; exit 77; }
out=$(mandoc -Tlint -Wall "$@" 2>&1)
[ -z "$out" ] && { echo "mandoc -Tlint: $# pages clean"; exit 0; }
echo "$out"
exit 1
