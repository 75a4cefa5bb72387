# SPDX-License-Identifier: GPL-2.0
# Guest scenario (6.10+: Debian's stock 6.12, the 7.3 debug kernel): a real
# 9p request that netfs cannot finish freeing, named on a running kernel.
# p9hold holds 9p's asynchronous request frees (hold=1: a server that
# does not answer the clunk), so a read of QEMU's shared r0.dat leaves a
# request in v9fs_free_request(), and umount waits for it in
# v9fs_evict_inode().  The watchdog must name it: netfs's R= debug_id, its
# origin, the inode, the 9p superblock, the waiting umount and the
# allocating stack through netfs_readahead.  netfs_iocount then unloads
# with the requests still tracked, leaving no probe and no record behind,
# and releasing the free lets umount finish.  STALL_TRACK=0 on the command line (a negative control)
# leaves tracking off, and the naming must fail.
# timeout: 300

. /guest/stall-lib.sh

P=/sys/module/netfs_iocount/parameters
H=/sys/module/p9hold/parameters

# A failure releases what is held, so that umount ends and the guest can
# sync and power off.
fail() {
	echo "9p-stall: $*"
	echo 0 >$H/hold 2>/dev/null || true
	echo 1 >$H/release 2>/dev/null || true
	exit 1
}

held_at_least_one() { [ "$(cat $H/held)" -ge 1 ]; }

# 9p and netfs are modules on the stock kernels and the 6.12 debug one.
modprobe 9p
modprobe 9pnet_virtio
if insmod /modules/netfs_iocount.ko track_netfs=maybe 2>/dev/null; then
	fail "netfs_iocount loaded with track_netfs=maybe"
fi
# Tracking from the load on: the parameter waits for the module's init.
if [ "${STALL_TRACK:-1}" = 1 ]; then
	insmod /modules/netfs_iocount.ko track_netfs=1
	[ "$(cat $P/track_netfs)" = Y ] || fail "track_netfs=1 at load did not attach"
	echo "9p-stall: netfs requests tracked from the load on"
else
	insmod /modules/netfs_iocount.ko
fi
insmod /modules/p9hold.ko
if echo 10001 >$H/delay_ms 2>/dev/null; then
	fail "p9hold accepted delay_ms=10001"
fi

echo 2 >$P/watchdog_wait_secs

mkdir -p /mnt
mount -t 9p -o trans=virtio,version=9p2000.L,cache=loose p9share /mnt
echo 1 >$H/hold
cat /mnt/r0.dat >/dev/null
until_true 10 "no 9p request free was held after reading r0.dat" held_at_least_one
echo "9p-stall: $(cat $H/held) 9p request free(s) held"

umount /mnt &
umount_pid=$!
until_true 15 "no watchdog report named the stalled request" named_in_log
report=$(watchdog_report)
echo "$report"
cat /sys/kernel/debug/netfs_iocount/requests

# Unloading while requests are tracked drops their records (kmemleak,
# below, sees any left) and leaves no probe behind.
rmmod netfs_iocount
if [ "$(track_probes_count)" -ne 0 ]; then
	track_probes
	fail "a probe of netfs_iocount outlived its module"
fi
echo "9p-stall: netfs_iocount unloaded with requests tracked, no probe left"

echo 0 >$H/hold
echo 1 >$H/release
until_true 20 "umount did not finish after the release" task_done $umount_pid
wait $umount_pid || fail "umount failed after the release"
echo "9p-stall: released, umount finished"

report_names "$report" '[0-9]+' '[^ ]+' 9p
echo "9p-stall: the watchdog names the held 9p request"

rmmod p9hold
kmemleak_clean 9p-stall
