# SPDX-License-Identifier: GPL-2.0
# Guest scenario of `make bench` (stock 6.10+ kernel): what track_netfs costs.
# In three modes, rotated within each repetition so that drift spreads over
# all of them: netfs_iocount not loaded, loaded with tracking off, and
# track_netfs=1.  In each: real 9p (cache=loose, the host's big.dat read
# track_passes= times, small.dat opened, read and closed track_opens= times,
# each read from the server again), then varwait_bench (wake_up_var() and
# wait_var_event() outside netfs, which track_netfs's callbacks see too).
# One line per figure:
#   BENCH_TRACK <rep> mode=<mode> stream|small bytes=N us=N
#   BENCH_TRACK <rep> mode=<mode> VARWAIT wake_ns=N ... pingpong_ns=N ...
# Parameters from the kernel command line: track_reps=, track_passes=,
# track_opens=, varwait_args= (commas for spaces).
# timeout: 1800

cmdline() { tr ' ' '\n' </proc/cmdline | sed -n "s/^$1=//p"; }
reps=$(cmdline track_reps)
passes=$(cmdline track_passes)
opens=$(cmdline track_opens)
varwait_args=$(cmdline varwait_args | tr , ' ')

fail() {
	echo "bench-track: $*"
	exit 1
}

. /guest/stall-lib.sh

p9_share_up
mkdir -p /mnt
mount -t 9p -o trans=virtio,version=9p2000.L,cache=loose p9share /mnt
# The first reads look the files up: not part of any repetition.
p9io reread /mnt/big.dat 1 0 >/dev/null
p9io reread /mnt/small.dat 1 0 >/dev/null

# enter MODE / leave MODE: the library as MODE has it.
enter() {
	case $1 in
	unloaded) ;;
	off) insmod /modules/netfs_iocount.ko || fail "insmod failed" ;;
	on)
		insmod /modules/netfs_iocount.ko track_netfs=1 || fail "insmod track_netfs=1 failed"
		[ "$(cat /sys/module/netfs_iocount/parameters/track_netfs)" = Y ] ||
			fail "track_netfs did not switch on"
		;;
	esac
}

leave() {
	[ "$1" = unloaded ] || rmmod netfs_iocount || fail "rmmod netfs_iocount failed"
}

# varwait MODE REP: varwait_bench's figures, tagged.
varwait() {
	dmesg -c >/dev/null
	# shellcheck disable=SC2086
	insmod /modules/varwait_bench.ko $varwait_args || fail "varwait_bench failed"
	rmmod varwait_bench
	line=$(dmesg | sed -n 's/.*\(VARWAIT .*\)/\1/p')
	[ -n "$line" ] || fail "varwait_bench printed no figures"
	echo "BENCH_TRACK $2 mode=$1 $line"
}

rep=0
while [ "$rep" -lt "${reps:-1}" ]; do
	case $((rep % 3)) in
	0) modes="unloaded off on" ;;
	1) modes="off on unloaded" ;;
	*) modes="on unloaded off" ;;
	esac
	for mode in $modes; do
		enter "$mode"
		echo "BENCH_TRACK $rep mode=$mode stream $(p9io reread /mnt/big.dat "${passes:-1}" 0)"
		echo "BENCH_TRACK $rep mode=$mode small $(p9io reread /mnt/small.dat "${opens:-10}" 0)"
		varwait "$mode" "$rep"
		leave "$mode"
	done
	rep=$((rep + 1))
done
umount /mnt
echo "bench-track: $reps repetitions of 3 modes"
