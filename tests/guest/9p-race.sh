# SPDX-License-Identifier: GPL-2.0
# Guest scenario: the umount race on real 9p with the fix, the eviction
# waiting for the inode's outstanding requests.  Every cycle must be clean
# (no KASAN, lockdep or WARN report), no eviction may return before a
# postponed free of its inode, and in each cache mode frees must have been
# postponed and evictions must have waited: a mode in which none did
# exercised nothing.  See 9p-race-lib.sh.
# timeout: 900

. /guest/9p-race-lib.sh
p9race_load
for cache in $caches; do
	delayed=$(cat $H/delayed)
	waits=$(cat $H/evict_waits)
	i=0
	while [ $i -lt "$cycles" ]; do
		p9race_cycle "$cache"
		i=$((i + 1))
	done
	delayed=$(($(cat $H/delayed) - delayed))
	waits=$(($(cat $H/evict_waits) - waits))
	echo "9p-race: cache=$cache: $delayed frees postponed, $waits evictions waited"
	# Each mode on its own: one mode's waits cannot stand for another's.
	[ "$delayed" -ge 1 ] ||
		{ echo "9p-race: cache=$cache postponed no free: the race was not exercised there"; exit 1; }
	[ "$waits" -ge 1 ] ||
		{ echo "9p-race: cache=$cache: no eviction waited for a postponed free: the race was not exercised there"; exit 1; }
done
p9race_counts
[ "$(cat $H/evict_early)" -eq 0 ] ||
	{ echo "9p-race: an eviction returned before its inode's free: the window is open"; exit 1; }
echo 0 >$H/delay_ms
echo "9p-race: $(cat $H/evict_waits) evictions waited for their requests' frees, none returned early"
rmmod p9hold
