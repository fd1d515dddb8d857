#!/bin/sh
# vm: accounting=on,off
# dma_heap.mem_accounting is visible read-only in sysfs and matches the
# command line of this boot. Mainline has it since the 7.0 cycle (the series
# builds on it); skipped on a kernel without it.
. /usr/share/vm/lib.sh

param=/sys/module/dma_heap/parameters/mem_accounting
[ -e $param ] || skip "$param does not exist (a kernel before dma_heap.mem_accounting)"
value=$(cat $param)
echo "$param = $value, expected accounting=$VM_ACCOUNTING"
case "$VM_ACCOUNTING:$value" in
on:Y | off:N) ;;
*) fail "$param is $value in a boot with accounting=$VM_ACCOUNTING" ;;
esac
perm=$(stat -c %a $param)
[ "$perm" = 444 ] || fail "$param has mode $perm, expected read-only 444"
