# SPDX-License-Identifier: GPL-2.0
# Guest scenario (6.10+: Debian's stock 6.12, the 7.3 debug kernel): a real
# 9p request that netfs cannot finish freeing, named on a running kernel.
# p9hold holds 9p's asynchronous request frees (hold=1: a server that
# does not answer the clunk), so a read of QEMU's shared r0.dat leaves a
# request in v9fs_free_request(), and umount waits for it in
# v9fs_evict_inode().  The watchdog must name it: netfs's R= debug_id, its
# origin, the inode, the 9p superblock, the waiting umount and the
# allocating stack through netfs_readahead.  Releasing the free lets
# umount finish.  STALL_TRACK=0 on the command line (a negative control)
# leaves tracking off, and the naming must fail.
# timeout: 300

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

# until_true SECONDS WHAT COMMAND...: poll COMMAND every 100 ms, or fail.
until_true() {
	local tries=$(($1 * 10)) what=$2
	shift 2
	until "$@"; do
		tries=$((tries - 1))
		[ $tries -gt 0 ] || fail "$what"
		usleep 100000
	done
}

held_at_least_one() { [ "$(cat $H/held)" -ge 1 ]; }
named_in_log() { dmesg | grep -q 'stalled netfs request R='; }
umount_done() { ! kill -0 "$1" 2>/dev/null; }

# 9p and netfs are modules on the stock kernel, built in on the debug one.
modprobe 9p 2>/dev/null || true
modprobe 9pnet_virtio 2>/dev/null || true
insmod /modules/netfs_iocount.ko
insmod /modules/p9hold.ko
if echo 10001 >$H/delay_ms 2>/dev/null; then
	fail "p9hold accepted delay_ms=10001"
fi

echo 2 >$P/watchdog_wait_secs
if [ "${STALL_TRACK:-1}" = 1 ]; then
	echo 1 >$P/track_netfs
	echo "9p-stall: netfs requests tracked"
fi

mkdir -p /mnt
mount -t 9p -o trans=virtio,version=9p2000.L,cache=loose p9share /mnt
echo 1 >$H/hold
cat /mnt/r0.dat >/dev/null
until_true 10 "no 9p request free was held after reading r0.dat" held_at_least_one
echo "9p-stall: $(cat $H/held) 9p request free(s) held"

umount /mnt &
umount_pid=$!
until_true 15 "no watchdog report named the stalled request" named_in_log
report=$(dmesg | grep -A 30 'stalled netfs request R=')
echo "$report"
cat /sys/kernel/debug/netfs_iocount/requests

echo 0 >$H/hold
echo 1 >$H/release
until_true 20 "umount did not finish after the release" umount_done $umount_pid
wait $umount_pid || fail "umount failed after the release"
echo "9p-stall: released, umount finished"

echo "$report" | grep -qE 'stalled netfs request R=[0-9a-f]{8} NETFS_READAHEAD on inode [0-9]+ of [^ ]+ \(9p, sb ' ||
	fail "the report does not name a NETFS_READAHEAD request on a 9p inode"
echo "$report" | grep -qE 'freeing for [0-9]+s' ||
	fail "the report does not say the request is in its free path"
echo "$report" | grep -qE 'waited on for [0-9]+s by umount:' ||
	fail "the report does not name the umount waiting for it"
echo "$report" | grep -qE '    netfs_readahead\+0x' ||
	fail "the report's stack does not go through netfs_readahead"
echo "9p-stall: the watchdog names the held 9p request"

echo 0 >$P/track_netfs
rmmod p9hold
rmmod netfs_iocount
