#!/bin/sh
# vm: accounting=on,off
# The kernel's cgroup.freeze selftest (tools/testing/selftests/cgroup/test_freezer).
. /usr/share/vm/lib.sh

kselftest test_freezer
