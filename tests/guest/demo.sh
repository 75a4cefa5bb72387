# SPDX-License-Identifier: GPL-2.0
# Guest scenario of `make run` (stock kernel): iocountfs on Debian's own
# netfs.ko.  Five mounts; readers verify every byte, and in two of them are
# killed mid-read; each umount comes while requests are still completing,
# so eviction waits for them.  Then the library's statistics.  Then a
# request that never finishes (stall_ino=2: its fid release is held): with
# track_netfs=1 the umount waits in eviction, the watchdog names the
# request, and releasing it lets umount finish.
# timeout: 300

. /guest/iocountfs-lib.sh
. /guest/stall-lib.sh

fail() {
	echo "DEMO: $*"
	echo 1 >/sys/module/iocountfs/parameters/release 2>/dev/null || true
	exit 1
}

iocfs_load
iocfs_cycles 5 files=4,size=131072,latency_ms=20,release_ms=200 4
echo "DEMO: readers of the last mount:"
sed 's/^/DEMO:   /' /tmp/reader.out
echo "DEMO: netfs_iocount statistics (/sys/kernel/debug/netfs_iocount/stats):"
sed 's/^/DEMO:   /' /sys/kernel/debug/netfs_iocount/stats

P=/sys/module/netfs_iocount/parameters
echo 1 >$P/track_netfs
echo 2 >$P/watchdog_wait_secs
mount -t iocountfs -o files=2,size=65536,latency_ms=5,release_ms=0,stall_ino=2 \
	iocountfs /mnt
cat /mnt/f0 >/dev/null
umount /mnt &
umount_pid=$!
start=$(date +%s)
until_true 15 "the watchdog named nothing" named_in_log
echo "DEMO: umount has waited $(($(date +%s) - start)) s in eviction; the watchdog says:"
watchdog_report | sed 's/^\[ *[0-9.]*\] /DEMO:   /' | head -n 8
echo 1 >/sys/module/iocountfs/parameters/release
until_true 20 "umount did not finish after the release" task_done $umount_pid
wait $umount_pid
echo "DEMO: released: umount finished $(($(date +%s) - start)) s after it began"
echo 0 >$P/track_netfs
iocfs_unload
