# Sourced by tests/vm/run and tests/vm/systemd/run (bash): the kernel command
# line every test VM boots with, besides the console and its own options.
#
#   tsc_early_khz=KHZ tsc=reliable
#       Under qemu's software emulation there is no HPET or ACPI PM timer to
#       calibrate the TSC against, so Linux 7.2 falls back to 4 ms jiffies
#       and timing-sensitive selftests (test_freezer) fail in about half the
#       boots. The guest's TSC is the host's (TCG reads it), so its rate is
#       known: host/tsc-khz.c measures it. DMABUFCTL_VM_TSC_KHZ overrides the
#       figure; a host whose TSC is not constant gets neither option.
#   cma=64M
#       A contiguous memory area for the CMA heap (/dev/dma_heap/
#       default_cma_region and /dev/dma_heap/reserved), whose allocations
#       are never charged to a memory cgroup.

# vm_kernel_args DIR: prints the options; DIR is where tsc-khz is compiled.
vm_kernel_args() {
	local dir=$1 khz=${DMABUFCTL_VM_TSC_KHZ:-} src
	src=$(dirname "${BASH_SOURCE[0]}")/host/tsc-khz.c
	if [[ -z $khz ]] && grep -qw constant_tsc /proc/cpuinfo; then
		gcc -O2 -Wall -o "$dir/tsc-khz" "$src" >&2 && khz=$("$dir/tsc-khz") || khz=
	fi
	if [[ -n $khz && ! $khz =~ ^[1-9][0-9]*$ ]]; then
		echo "vm: DMABUFCTL_VM_TSC_KHZ must be a rate in kHz, not '$khz'" >&2
		return 2
	fi
	if [[ -n $khz ]]; then
		printf 'tsc_early_khz=%s tsc=reliable ' "$khz"
	else
		echo "vm: the host's TSC is not constant (or could not be timed): the guest keeps time with 4 ms jiffies" >&2
	fi
	printf 'cma=64M\n'
}
