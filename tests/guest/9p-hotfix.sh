# SPDX-License-Identifier: GPL-2.0
# Guest scenario: netfs_iocount_hotfix closes the umount race of real 9p
# (cache=fscache) on a 6.1 kernel that has no count of its own, and the
# race is back once it is disabled.  See 9p-race-lib.sh for the race.
#  1. Bad input is refused and changes nothing.
#  2. Loaded while frees of earlier requests are pending: they are counted
#     unprotected and lower no count.  p9hold is then loaded again, after
#     the hotfix: its diverting probe on netfs's free must run first.
#  3. With it, an umount waits for a free held inside ->free_request()
#     (v9fs_free_request()), and ends once the free is released.
#  4. P9_CYCLES umounts right after readers whose frees p9hold
#     postpones: no eviction returns before its inode's free, some wait,
#     and no fid is left unclunked at the client's teardown.
#  5. Disabled while an eviction waits for a held free: the umount keeps
#     waiting, the patch stays in transition and rmmod is refused until
#     the free is released; then the patch goes and the module unloads,
#     leaving no leak (kmemleak, where the kernel has it).
#  6. Without it: the same held free no longer holds the umount up, which
#     tears the client down under it ("Found fid N not clunked").  The
#     free stays held: released, it would use the freed fid.
# Outside 4, p9hold queues the frees netfs would run in the reading task
# (defer=1), so that each read gives a free to hold or postpone; 4 has
# netfs's own asynchronous frees only, those of cache completions.
# timeout: 600

. /guest/9p-race-lib.sh
. /guest/stall-lib.sh
. /guest/hotfix-lib.sh

# Long enough for a free postponed before the load to run after it.
LATE_MS=5000

fail() {
	echo "9p-hotfix: $*"
	exit 1
}

# read_until COUNTER WHAT: read a file of the mounted share until p9hold's
# COUNTER is at least 1.  Before 6.14 netfs frees a request in the reading
# task unless an asynchronous completion (a cache read's) drops the last
# reference; p9hold, with defer=1, queues those frees as netfs queues the
# others, so that every read gives one to hold or postpone.  A read served
# from the page cache makes no request: every 2 s the page cache is dropped
# and the file read again, for 30 s at most.
read_until() {
	local i=0
	cat /mnt/r0.dat >/dev/null
	until [ "$(cat "$H/$1")" -ge 1 ]; do
		i=$((i + 1))
		[ $i -le 300 ] || fail "no free of the reads' requests was $2 in 30 s"
		if [ $((i % 20)) -eq 0 ]; then
			echo 1 >/proc/sys/vm/drop_caches
			cat /mnt/r0.dat >/dev/null
		fi
		usleep 100000
	done
}

# held_umount: mount, read a file whose free p9hold holds, umount in the
# background; sets upid.  The free is held once the read has returned.
held_umount() {
	mount -t 9p -o trans=virtio,version=9p2000.L,cache=fscache p9share /mnt
	read_until held held
	umount /mnt &
	upid=$!
	echo "9p-hotfix: umount pid $upid, $(cat $H/held) free(s) held"
}

unclunked() {
	dmesg | grep -c 'Found fid [0-9]* not clunked' || true
}

modprobe 9p
modprobe 9pnet_virtio
insmod /modules/netfs_iocount.ko

# 1. Refusals.
for bad in maxactive=0 maxactive=5000 maxactive=x; do
	if insmod /modules/netfs_iocount_hotfix.ko "$bad" 2>/dev/null; then
		fail "$bad was accepted"
	fi
	[ ! -e $HOTFIX_L ] || fail "$bad left a livepatch behind"
done
dmesg | grep -q 'maxactive=5000 is invalid' || fail "no message named the invalid maxactive"

# 2. Loaded under I/O: frees of requests from before the load, postponed
# across it, are unprotected and lower nothing.  p9hold is loaded again
# after the hotfix: its diverting probe on netfs's free must run first.
p9race_load
echo 1 >$H/defer
echo $LATE_MS >$H/delay_ms
mount -t 9p -o trans=virtio,version=9p2000.L,cache=fscache p9share /mnt
read_until delayed "postponed across the load"
before=$(cat $H/delayed)
hotfix_load
usleep $((LATE_MS * 1000 + 1000000))
[ "$(hotfix_stat unprotected)" -ge 1 ] ||
	fail "no free of a request from before the load was counted unprotected (did the load take over $LATE_MS ms?)"
umount /mnt
! dmesg | grep -q 'netfs_iocount.*underflow' || fail "a count went below zero"
echo "9p-hotfix: loaded under I/O: $before free(s) postponed across the load, $(hotfix_stat unprotected) unprotected, no underflow"
rmmod p9hold
insmod /modules/p9hold.ko defer=1
echo "$delay" >$H/delay_ms
echo "9p-hotfix: loaded, maxactive $(hotfix_stat maxactive)"

# 3. A free held in ->free_request() holds the umount up.  Should it not,
# the free stays held: released, it would use the freed fid.
echo 0 >$H/delay_ms
echo 1 >$H/hold
held_umount
usleep 1000000
kill -0 "$upid" 2>/dev/null || fail "umount did not wait for the held free"
echo 1 >$H/release
wait "$upid" || fail "umount failed"
echo 0 >$H/hold
echo "$delay" >$H/delay_ms
echo "9p-hotfix: umount waited for a free held in v9fs_free_request(), and ended once it was released"

# 4. The race, closed, against netfs's own asynchronous frees only.
echo 0 >$H/defer
i=0
while [ $i -lt "$cycles" ]; do
	p9race_cycle fscache
	i=$((i + 1))
done
p9race_counts
cat $HOTFIX_D
[ "$(cat $H/evict_early)" -eq 0 ] ||
	fail "an eviction returned before its inode's free: the window is open"
[ "$(cat $H/evict_waits)" -ge 1 ] ||
	fail "no eviction waited for a postponed free: the race was not exercised"
[ "$(hotfix_stat evictions_waited)" -ge 1 ] || fail "the hotfix counts no eviction that waited"
[ "$(hotfix_stat counted)" -ge 1 ] || fail "the hotfix counted no request"
[ "$(hotfix_stat missed_free)" -eq 0 ] || fail "frees went unseen by the hotfix"
[ "$(unclunked)" -eq 0 ] || fail "umount found fids not clunked with the hotfix on"
echo "9p-hotfix: with the hotfix, $(cat $H/evict_waits) evictions waited, none returned early"
echo 1 >$H/defer

# afs, where the kernel has it (P9_AFS=1: stock kernels): no AFS server
# runs here, so only the dynamic root, whose directories are not netfs's:
# their evictions pass the patched function without waiting.
if [ "${P9_AFS:-0}" = 1 ]; then
	modprobe fcrypt
	modprobe pcbc
	modprobe kafs || fail "no kafs module"
	mkdir -p /afs
	mount -t afs none /afs -o dyn || fail "afs's dynamic root did not mount"
	ls -la /afs >/dev/null || fail "afs's dynamic root cannot be listed"
	umount /afs || fail "afs's dynamic root did not unmount"
	echo "9p-hotfix: afs (kafs) dynamic root mounted, listed and unmounted with the hotfix on"
fi

# 5. Disabled while an eviction waits.
echo 0 >$H/delay_ms
echo 1 >$H/hold
held_umount
usleep 1000000
kill -0 "$upid" 2>/dev/null || fail "umount did not wait for the held free"
echo 0 >$HOTFIX_L/enabled
[ "$(cat $HOTFIX_L/transition)" = 1 ] || fail "the patch left while an eviction slept in it"
if rmmod netfs_iocount_hotfix 2>/dev/null; then
	fail "rmmod went through with the patch still on"
fi
kill -0 "$upid" 2>/dev/null || fail "disabling cut the waiting eviction short"
echo 1 >$H/release
wait "$upid" || fail "umount failed"
until_true 60 "the patch never left after the eviction's wait ended" hotfix_gone
rmmod netfs_iocount_hotfix || fail "rmmod refused once the patch was gone"
[ "$(unclunked)" -eq 0 ] || fail "umount found fids not clunked before the hotfix was gone"
# Its shadow variables and counters gone with it (debug kernels).
kmemleak_clean 9p-hotfix
echo "9p-hotfix: disabled under a waiting eviction: it finished, then the patch left and the module unloaded"

# 6. The race, back.
held_umount
wait "$upid" || fail "umount failed"
[ "$(cat $H/held)" -ge 1 ] || fail "the held free was let go"
[ "$(unclunked)" -ge 1 ] ||
	fail "without the hotfix, umount still waited for the held free"
echo "9p-hotfix: without the hotfix, umount tore the client down under a held free: $(dmesg | grep -m 1 'not clunked')"
echo "9p-hotfix: the race is closed with the hotfix and back without it ($(cat $H/deferred) free(s) run in the reader queued instead)"
