#!/bin/sh
# vm: accounting=on,off timeout=900
# The kernel's cgroup.kill selftest (tools/testing/selftests/cgroup/test_kill).
. /usr/share/vm/lib.sh

kselftest test_kill
