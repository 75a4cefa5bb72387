# SPDX-License-Identifier: GPL-2.0
# Guest scenario (6.10+: Debian's stock 6.12, the 7.3 debug kernel): a
# netfs request that never finishes, named on a running kernel.
# With track_netfs=1, iocountfs holds the fid releases of inode 2
# (stall_ino=2, a server that stopped answering clunks), so a read of f0
# leaves a request that netfs cannot finish freeing, and umount waits for
# it in eviction.  The watchdog must then name that request: netfs's R=
# debug_id, its origin, inode 2 of iocountfs, the waiting umount and the
# allocating stack through netfs_readahead; debugfs must list it, and the
# library's hung report of the eviction wait must list it too.  Releasing
# the fids lets umount finish with no request left and no record leaked.
# Bad thresholds, switch values and mount options are refused and change
# nothing.  STALL_TRACK=0 on the command line (a negative control) leaves
# tracking off, and the naming must fail.
# timeout: 300

. /guest/iocountfs-lib.sh
. /guest/stall-lib.sh

P=/sys/module/netfs_iocount/parameters
D=/sys/kernel/debug/netfs_iocount
Q=/sys/module/iocountfs/parameters

# A failure releases what is held, so that umount ends and the guest can
# sync and power off.
fail() {
	echo "stall: $*"
	echo 1 >$Q/release 2>/dev/null || true
	exit 1
}

refuse() {	# refuse PARAM VALUE: the write fails, the value stays
	local before
	before=$(cat "$P/$1")
	if echo "$2" >"$P/$1" 2>/dev/null; then
		fail "$1 accepted '$2'"
	fi
	[ "$(cat "$P/$1")" = "$before" ] || fail "$1 changed on '$2'"
}

iocfs_load

refuse watchdog_secs 0
refuse watchdog_secs 86401
refuse watchdog_secs abc
refuse watchdog_wait_secs 0
refuse track_netfs maybe
for bad in stall_ino=1 stall_ino=4; do
	if mount -t iocountfs -o files=2,$bad iocountfs /mnt 2>/dev/null; then
		fail "mount accepted $bad with files=2"
	fi
done
if echo 0 >$Q/release 2>/dev/null; then
	fail "release accepted 0"
fi
echo "stall: bad thresholds, switch values and mount options refused"

echo 2 >$P/watchdog_wait_secs
echo 3 >$P/hung_warn_secs
if [ "${STALL_TRACK:-1}" = 1 ]; then
	echo 1 >$P/track_netfs
	[ "$(cat $P/track_netfs)" = Y ] || fail "track_netfs did not switch on"
	echo "stall: netfs requests tracked"
fi

mount -t iocountfs -o files=2,size=65536,latency_ms=5,release_ms=0,stall_ino=2 \
	iocountfs /mnt
cat /mnt/f0 >/dev/null
until_true 10 "no fid release stalled after reading f0" stalled_at_least_one
echo "stall: $(cat $Q/stalled) fid release(s) of inode 2 held"
cat $D/requests

umount /mnt &
umount_pid=$!
until_true 15 "no watchdog report named the stalled request" named_in_log
sleep 4	# the library's hung report (hung_warn_secs=3) of the same wait
report=$(watchdog_report)
echo "$report"
cat $D/requests >/tmp/requests
cat /tmp/requests

echo 1 >$Q/release
until_true 20 "umount did not finish after the release" task_done $umount_pid
wait $umount_pid || fail "umount failed after the release"
[ "$(cat $INFLIGHT)" -eq 0 ] || fail "$(cat $INFLIGHT) request(s) left after umount"
echo "stall: released, umount finished, no request left"

report_names "$report" 2 iocountfs iocountfs
grep -qE '^superblock iocountfs \(iocountfs, sb ' /tmp/requests ||
	fail "debugfs requests does not group by superblock"
grep -qE '^  inode 2$' /tmp/requests || fail "debugfs requests does not list inode 2"
dmesg | grep -A 3 'waited [0-9]*s for [0-9]* outstanding I/O request(s) on inode 2 of iocountfs' |
	grep -q 'netfs request R=' ||
	fail "the library's hung report does not list the netfs request"
echo "stall: the watchdog, debugfs and the hung report name the request"

echo 0 >$P/track_netfs
grep -q 'not tracked' $D/requests || fail "debugfs requests still lists records"
iocfs_unload
kmemleak_clean stall
