# SPDX-License-Identifier: GPL-2.0
# Guest scenario (debug kernel), the negative control: iocount=off, so
# eviction does not wait, and a fid released after umount finds its client
# freed.  Passes only when KASAN catches the use-after-free within 30
# cycles; scripts/check judges the report (where, freed by what).
# expect-splat: BUG: KASAN: (slab-)?use-after-free
# timeout: 900

. /guest/iocountfs-lib.sh
iocfs_load

OPTS=files=4,size=131072,latency_ms=20,release_ms=200,iocount=off
i=0
while [ $i -lt 30 ]; do
	iocfs_cycle "$OPTS" 4 kill
	iocfs_drained
	if dmesg | grep -qE 'BUG: KASAN: (slab-)?use-after-free'; then
		echo "iocountfs: without the fix, use-after-free caught in cycle $i"
		exit 0
	fi
	i=$((i + 1))
done
echo "iocountfs: without the fix, no use-after-free in 30 cycles"
exit 1
