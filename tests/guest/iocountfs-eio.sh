# SPDX-License-Identifier: GPL-2.0
# Guest scenario (debug kernel): error injection.  With 3% of the pages failing (every
# subrequest covering one fails), readers see EIO where injected and correct data
# everywhere else; no request outlives its umount; nothing leaks.  EIO_CYCLES=N
# on the command line runs N cycles instead of 20 (the kmemleak control).
# timeout: 900

. /guest/iocountfs-lib.sh
. /guest/kmemleak-lib.sh
iocfs_load

OPTS=files=4,size=131072,latency_ms=10,release_ms=10,err_rate=3
CYCLES=${EIO_CYCLES:-20}
eio=0
i=0
while [ $i -lt "$CYCLES" ]; do
	iocfs_cycle "$OPTS" 2 verify-eio
	n=$(sed -n 's/.*verified, \([0-9]*\) EIO.*/\1/p' /tmp/reader.out |
		awk '{ s += $1 } END { print s + 0 }')
	eio=$((eio + n))
	[ "$(cat "$INFLIGHT")" -eq 0 ] || { echo "cycle $i: requests outlived umount"; exit 1; }
	i=$((i + 1))
done
echo "iocountfs: $eio EIO seen by readers over $CYCLES cycles, every other byte right"
[ $eio -gt 0 ]
iocfs_unload
kmemleak_clean iocountfs-eio
