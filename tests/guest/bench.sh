# SPDX-License-Identifier: GPL-2.0
# Guest scenario of `make bench`: the microbenchmark module, then, when
# macro_mb= is not 0, iocountfs read throughput with the count on and off,
# macro_reps= times each, alternating.  Parameters for the module come from
# bench_args= on the kernel command line (commas for spaces); macro_mb=
# sets the size read for the throughput figure.
# timeout: 1800

cmdline() { tr ' ' '\n' </proc/cmdline | sed -n "s/^$1=//p"; }
args=$(cmdline bench_args | tr , ' ')
mb=$(cmdline macro_mb)
reps=$(cmdline macro_reps)
. /guest/iocountfs-lib.sh
iocfs_load
# shellcheck disable=SC2086
insmod /modules/netfs_iocount_bench.ko $args
rmmod netfs_iocount_bench

size=$((${mb:-16} * 262144))	# four files
[ "$size" -ne 0 ] || reps=0
rep=0
while [ "$rep" -lt "${reps:-1}" ]; do
	for mode in on off; do
		mount -t iocountfs -o files=4,size=$size,latency_ms=0,release_ms=0,iocount=$mode iocountfs /mnt
		iocfs-reader /mnt 1 >/tmp/reader.out
		# With the count off nothing waits at umount: let the frees finish.
		while [ "$(cat "$INFLIGHT")" -ne 0 ]; do usleep 10000; done
		umount /mnt
		sed "s/^/BENCH_MACRO $rep iocount=$mode /" /tmp/reader.out
	done
	rep=$((rep + 1))
done
iocfs_unload
