# SPDX-License-Identifier: GPL-2.0
# Guest scenario (6.10+: Debian's stock 6.12 with netfs.ko, the 7.3 debug
# kernel): with track_netfs=1, a request whose inode's count has drained
# is no stall, however late its RCU callback comes.  iocountfs holds the
# fid releases of inode 2 (stall_ino=2), so umount waits in eviction for
# the request's free; well before watchdog_wait_secs (3 s) the fids are
# released while rcuhold holds up RCU grace periods for 6 s, so the count
# drains at once, but netfs_free_request_rcu(), where the record ends,
# comes seconds later, as it may with lazy RCU callbacks.  debugfs must
# show the request drained meanwhile, the watchdog must never report it,
# and afterwards no record may be left.
# timeout: 300

. /guest/iocountfs-lib.sh
. /guest/stall-lib.sh

P=/sys/module/netfs_iocount/parameters
D=/sys/kernel/debug/netfs_iocount
Q=/sys/module/iocountfs/parameters
R=/sys/module/rcuhold/parameters

fail() {
	echo "track-drained: $*"
	echo 1 >$Q/release 2>/dev/null || true
	cat $D/requests 2>/dev/null || true
	exit 1
}

waited_on() { grep -q 'waited on for' $D/requests; }
drained_listed() { grep -q "its inode's count drained (RCU free pending)" $D/requests; }
reports() { dmesg | grep -c 'stalled netfs request R=' || true; }
hold_began() { dmesg | grep -q 'rcuhold: holding up RCU grace periods'; }
hold_ended() { dmesg | grep -q 'rcuhold: hold ended'; }

iocfs_load
insmod /modules/rcuhold.ko || fail "insmod rcuhold failed"
echo 3 >$P/watchdog_wait_secs
echo 1 >$P/track_netfs || fail "track_netfs=1 refused"

mount -t iocountfs -o files=2,size=65536,latency_ms=5,release_ms=0,stall_ino=2 \
	iocountfs /mnt
cat /mnt/f0 >/dev/null
until_true 10 "no fid release stalled after reading f0" stalled_at_least_one

umount /mnt &
umount_pid=$!
until_true 5 "umount's eviction did not wait on the held request" waited_on
echo 6000 >$R/hold_ms &
hold_pid=$!
until_true 5 "rcuhold did not begin its hold" hold_began
reports_before=$(reports)
[ "$reports_before" -eq 0 ] ||
	fail "the wait was reported before the release: the scenario ran too slowly to show anything"
echo 1 >$Q/release
until_true 5 "debugfs did not show the request drained once the fids were released" drained_listed
! hold_ended || fail "RCU was held up for less than the scenario needs: nothing to see"
cat $D/requests
echo "track-drained: the count drained, $(records_left) record(s) wait for their RCU callback"

wait $hold_pid || fail "rcuhold's hold failed"
until_true 20 "umount did not end after the hold" task_done $umount_pid
wait $umount_pid || fail "umount failed after the release"
until_true 20 "records outlived the hold by 20 s" no_record_left
if [ "$(reports)" -ne 0 ]; then
	dmesg | grep -A 3 'stalled netfs request R='
	fail "a drained request was reported stalled"
fi
echo "track-drained: no report of the drained request, no record left"

echo 0 >$P/track_netfs
rmmod rcuhold
iocfs_unload
kmemleak_clean track-drained
