# SPDX-License-Identifier: GPL-2.0
# Guest scenario (Debian's stock kernel, its own netfs.ko): the fix-on
# workload with every byte verified, and a clean unload.
# timeout: 900

. /guest/iocountfs-lib.sh
iocfs_load

OPTS=files=4,size=131072,latency_ms=20,release_ms=200
i=0
while [ $i -lt 50 ]; do
	mode=verify
	[ $((i % 2)) -eq 1 ] && mode=kill
	iocfs_cycle "$OPTS" 4 $mode
	[ "$(cat "$INFLIGHT")" -eq 0 ] || { echo "cycle $i: requests outlived umount"; exit 1; }
	i=$((i + 1))
done
echo "iocountfs: 50 cycles on the stock kernel, no request outlived its umount"
iocfs_unload
