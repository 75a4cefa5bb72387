# SPDX-License-Identifier: GPL-2.0
# Guest scenario of `make bench`: the microbenchmark module, then, when
# macro_mb= is not 0, iocountfs read throughput with the count on and off,
# macro_reps= times each, alternating.  Parameters for the module come from
# bench_args= on the kernel command line (commas for spaces); macro_mb=
# sets the size read for the throughput figure.  Then, when hotfix_reps=
# is not 0, real 9p (cache=loose, the host's big.dat and small.dat)
# without and with netfs_iocount_hotfix, alternating: big.dat read
# hotfix_passes= times, small.dat opened, read and closed hotfix_opens=
# times, each read from the server again (its page cache dropped).
# timeout: 1800

cmdline() { tr ' ' '\n' </proc/cmdline | sed -n "s/^$1=//p"; }
args=$(cmdline bench_args | tr , ' ')
mb=$(cmdline macro_mb)
reps=$(cmdline macro_reps)
hotfix_reps=$(cmdline hotfix_reps)
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

[ "${hotfix_reps:-0}" -ne 0 ] || exit 0

fail() {
	echo "bench: $*"
	exit 1
}

. /guest/stall-lib.sh
. /guest/hotfix-lib.sh

passes=$(cmdline hotfix_passes)
opens=$(cmdline hotfix_opens)
p9_share_up
insmod /modules/netfs_iocount.ko
mount -t 9p -o trans=virtio,version=9p2000.L,cache=loose p9share /mnt
# The first reads look the files up: not part of any repetition.
p9io reread /mnt/big.dat 1 0 >/dev/null
p9io reread /mnt/small.dat 1 0 >/dev/null
rep=0
while [ "$rep" -lt "$hotfix_reps" ]; do
	for mode in off on; do
		n=-
		if [ $mode = on ]; then
			hotfix_load
		fi
		big=$(p9io reread /mnt/big.dat "$passes" 0)
		small=$(p9io reread /mnt/small.dat "$opens" 0)
		if [ $mode = on ]; then
			n=$(hotfix_stat counted)
			hotfix_unload
		fi
		echo "BENCH_HOTFIX $rep hotfix=$mode stream $big"
		echo "BENCH_HOTFIX $rep hotfix=$mode small $small"
		echo "BENCH_HOTFIX $rep hotfix=$mode requests=$n"
	done
	rep=$((rep + 1))
done
umount /mnt
rmmod netfs_iocount
