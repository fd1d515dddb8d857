#!/bin/sh
# vm: accounting=on,off timeout=900
# In-VM half of bench/kernel-charge: alloc+close from the system dma-heap,
# 4 KiB, 1 MiB and 16 MiB, charged to self (no flag: mainline's
# mem_accounting) and by pidfd (DMA_HEAP_FLAG_CHARGE_PIDFD, a waiting child
# in another cgroup), interleaved round by round. Prints
# heapbench's per-operation figures; bench/kernel-charge compares boots.
. /usr/share/vm/lib.sh
need /dev/dma_heap/system
mkdir -p $CGROOT/bench-allocator $CGROOT/bench-client
echo "heapbench accounting=$VM_ACCOUNTING"
heapbench --cgroup $CGROOT/bench-allocator --client-cgroup $CGROOT/bench-client \
	--rounds 5 4K:4000 1M:400 16M:40 || fail "heapbench failed"
