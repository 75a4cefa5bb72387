# SPDX-License-Identifier: GPL-2.0
# Guest scenario (Debian's stock kernel, its own netfs.ko): the fix-on
# workload with every byte verified, and a clean unload.
# timeout: 900

. /guest/iocountfs-lib.sh
iocfs_load

iocfs_cycles 50 files=4,size=131072,latency_ms=20,release_ms=200 4
echo "iocountfs: 50 cycles on the stock kernel, no request outlived its umount"
iocfs_unload
