#!/bin/sh
# vm: accounting=on,off
# The kernel's tools/testing/selftests/dmabuf-heaps. With accounting off the
# selftest itself limits the charge cases to what must still hold (validation
# of the flag, charge_pid_fd and __padding, nothing charged); on a kernel
# without the series they skip.
. /usr/share/vm/lib.sh

need /dev/dma_heap/system
kselftest dmabuf-heap
