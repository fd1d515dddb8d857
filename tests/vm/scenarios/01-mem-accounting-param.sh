#!/bin/sh
# vm: accounting=on,off
# dma_heap.mem_accounting is visible read-only in sysfs and matches the
# command line of this boot. Skipped on a kernel without the parameter
# (a vanilla v6.12, before the series).
. /usr/share/vm/lib.sh

param=/sys/module/dma_heap/parameters/mem_accounting
[ -e $param ] || skip "$param does not exist (kernel without the series)"
value=$(cat $param)
echo "$param = $value, expected accounting=$VM_ACCOUNTING"
case "$VM_ACCOUNTING:$value" in
on:Y | off:N) ;;
*) fail "$param is $value in a boot with accounting=$VM_ACCOUNTING" ;;
esac
perm=$(stat -c %a $param)
[ "$perm" = 444 ] || fail "$param has mode $perm, expected read-only 444"
