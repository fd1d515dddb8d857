#!/bin/sh
# vm: accounting=on,off timeout=900
# The kernel's cgroup.freeze selftest (tools/testing/selftests/cgroup/test_freezer).
. /usr/share/vm/lib.sh

kselftest test_freezer
