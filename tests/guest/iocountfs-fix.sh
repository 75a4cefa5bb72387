# SPDX-License-Identifier: GPL-2.0
# Guest scenario (debug kernel, KASAN and lockdep): the fix at work.
# IOCFS_CYCLES (kernel command line, default 200) cycles of mount, 4
# verifying readers, umount while requests are still
# completing; every other cycle kills the readers mid-read.  After every
# umount no request may be left: eviction waited for each one.  Bad mount
# options are refused.  Everything unloads cleanly.
# timeout: 1500

. /guest/iocountfs-lib.sh
iocfs_load

for bad in files=0 files=1025 size=100 size=0 latency_ms=1001 err_rate=101 \
	   iocount=maybe bogus=1; do
	if mount -t iocountfs -o "$bad" iocountfs /mnt 2>/dev/null; then
		echo "mount accepted $bad"
		exit 1
	fi
done
echo "iocountfs: bad mount options refused"

cycles=${IOCFS_CYCLES:-200}
iocfs_cycles "$cycles" files=4,size=131072,latency_ms=20,release_ms=200 4
echo "iocountfs: $cycles cycles, no request outlived its umount"
iocfs_unload
