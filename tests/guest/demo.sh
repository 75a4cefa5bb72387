# SPDX-License-Identifier: GPL-2.0
# Guest scenario of `make run` (stock kernel): iocountfs on Debian's own
# netfs.ko.  Five mounts; readers verify every byte, and in two of them are
# killed mid-read; each umount comes while requests are still completing,
# so eviction waits for them.  Then the library's statistics.
# timeout: 300

. /guest/iocountfs-lib.sh
iocfs_load
iocfs_cycles 5 files=4,size=131072,latency_ms=20,release_ms=200 4
echo "DEMO: readers of the last mount:"
sed 's/^/DEMO:   /' /tmp/reader.out
echo "DEMO: netfs_iocount statistics (/sys/kernel/debug/netfs_iocount/stats):"
sed 's/^/DEMO:   /' /sys/kernel/debug/netfs_iocount/stats
iocfs_unload
