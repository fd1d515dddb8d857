#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# promtool test rules on the shipped alerting rules. Usage: test-rules.sh TESTFILE
command -v promtool >/dev/null || { echo "skipped: promtool is missing (Debian package prometheus)"; exit 77; }
promtool check rules "$(dirname "$1")/../../conf/prometheus/dmabufd.rules.yml" && promtool test rules "$1"
