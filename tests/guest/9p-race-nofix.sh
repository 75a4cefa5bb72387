# SPDX-License-Identifier: GPL-2.0
# Guest scenario, the negative control of 9p-race.sh: a kernel whose
# v9fs_evict_inode() does not wait for the inode's outstanding requests
# (a patch of tests/kernel-faults/).  umount then frees the client and
# the inodes under the postponed frees, and KASAN must report the
# use-after-free within the cycles: of the fid, in 9p's put of it, or of
# the inode, in netfs's uncount after that put, by which of the two umount
# freed first.  The kernel stops at that report (kasan.fault=panic): the
# free would go on with freed memory.  The host judges the report
# (scripts/check, p9_race_report); this scenario fails only when every
# cycle went by without one.
# kasan-panic: BUG: KASAN: (slab-)?use-after-free in (v9fs_|p9_|netfs_free_request)
# timeout: 300

. /guest/9p-race-lib.sh

p9race_load
for cache in $caches; do
	i=0
	while [ $i -lt "$cycles" ]; do
		p9race_cycle "$cache"
		# The postponed frees run after the umount: give them their delay.
		usleep $(((delay + 200) * 1000))
		i=$((i + 1))
	done
done
p9race_counts
echo "9p-race: without the wait, no use-after-free in $cycles cycles of each of $caches"
exit 1
