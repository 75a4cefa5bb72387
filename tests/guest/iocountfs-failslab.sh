# SPDX-License-Identifier: GPL-2.0
# Guest scenario (6.10+ debug kernels with FAILSLAB: 7.3 and 6.12): every
# failure of a slab allocation in a netfs read, one at a time, with
# track_netfs on.  For N = 1, 2, ..., the reader's Nth allocation (fail-nth,
# failslab with reclaiming allocations included) fails in a read of a
# whole iocountfs file whose pages are not cached: netfs's request
# (mempool), iocountfs's fid in ->init_request() (7.3 then frees the
# request at once, 6.12 too), netfs's buffers (freed through
# netfs_put_failed_request() on 7.3), iocountfs's completion in
# ->issue_read(), and whatever else the path allocates.  How many sites a
# read passes, and in which order, varies from read to read (30 to 46
# seen: an injected failure in readahead leaves pages to ->read_folio(),
# and timing decides which path reads them), so a read that passes fewer
# than N sites is skipped, and the sweep ends after three such reads in a
# row.  Which of those reads meet iocountfs's own two allocations is left
# to that chance too, so before the sweep each of them is failed once on
# purpose (iocountfs's fail_next) and checked the same way.  After each
# injected failure: the read returned an error or right bytes, a second
# read returns all of the file right,
# iocountfs holds no request, the file's eviction (drop_caches) returns
# within 10 s (it waits for netfs's count of the inode to reach 0), and
# track_netfs has no record left.  At the end the umount returns, the probes
# missed no allocation and no free (a record of the library's own that
# failed to allocate is counted as "not recorded", and allowed), and
# kmemleak finds no leak.
# timeout: 1200

. /guest/iocountfs-lib.sh
. /guest/stall-lib.sh

P=/sys/module/netfs_iocount/parameters
D=/sys/kernel/debug/netfs_iocount
Q=/sys/module/iocountfs/parameters
F=/sys/kernel/debug/failslab
MAX_NTH=${FAILSLAB_MAX_NTH:-400}

fail() {
	echo "failslab: $*"
	exit 1
}

# evict_within SECONDS: drop the page cache and the unused inodes, whose
# eviction waits for their requests; done within SECONDS, or fail().
evict_within() {
	local pid
	echo 3 >/proc/sys/vm/drop_caches &
	pid=$!
	until_true "$1" "evicting the inodes took more than $1 s: a count did not drain" task_done "$pid"
	wait "$pid"
}

inflight_zero() { [ "$(cat $Q/inflight)" = 0 ]; }

# settled WHAT: after a read with a failure injected, iocountfs holds no
# request, the inodes' eviction returns and no record is left.
settled() {
	until_true 10 "$1: iocountfs still holds a request 10 s after the read" inflight_zero
	evict_within 10
	until_true 10 "$1: a record outlived the request by 10 s" no_record_left
}

# own_failure SITE: iocountfs's own allocation at SITE (init_request,
# issue_read) fails once in a read of a whole uncached file.
own_failure() {
	local what="iocountfs's $1 failure" pid rc=0
	evict_within 10
	echo "$1" >$Q/fail_next
	iocfs-reader -n 0 /mnt/f0 >/tmp/own.out 2>&1 &
	pid=$!
	until_true 30 "$what: the read did not return within 30 s" task_done $pid
	wait $pid || rc=$?
	echo "failslab: $what: $(head -n 1 /tmp/own.out)"
	[ $rc = 0 ] || { cat /tmp/own.out; fail "$what: the read went wrong"; }
	[ "$(cat $Q/fail_next)" = none ] || fail "$what: the read never made that allocation"
	settled "$what"
}

[ -w /proc/self/fail-nth ] || fail "no /proc/self/fail-nth: the kernel lacks CONFIG_FAULT_INJECTION"
[ -d $F ] || fail "no $F: the kernel lacks CONFIG_FAILSLAB or CONFIG_FAULT_INJECTION_DEBUG_FS"
echo N >$F/ignore-gfp-wait
echo 0 >$F/verbose
iocfs_load
echo 1 >$P/track_netfs || fail "track_netfs=1 refused"
track_probes_listable
mount -t iocountfs -o files=4,size=262144,latency_ms=1,release_ms=1 iocountfs /mnt ||
	fail "mount failed"
if echo none >$Q/fail_next 2>/dev/null; then
	fail "iocountfs accepted fail_next=none"
fi
own_failure init_request
own_failure issue_read

n=1 failed=0 short=0 whole=0 skipped=0 unreached=0
while [ $unreached -lt 3 ]; do
	[ $n -le "$MAX_NTH" ] || fail "the read still passes $MAX_NTH sites: raise FAILSLAB_MAX_NTH"
	evict_within 10
	iocfs-reader -n $n /mnt/f$((n % 4)) >/tmp/nth.out 2>&1 &
	pid=$!
	until_true 30 "fail-nth $n: the read did not return within 30 s" task_done $pid
	rc=0
	wait $pid || rc=$?
	echo "failslab: $(head -n 1 /tmp/nth.out)"
	case $rc in
	0)
		unreached=0
		case $(cat /tmp/nth.out) in
		*"read failed"*) failed=$((failed + 1)) ;;
		*"returned 262144 of"*) whole=$((whole + 1)) ;;
		*) short=$((short + 1)) ;;
		esac
		;;
	3) unreached=$((unreached + 1)) skipped=$((skipped + 1)) ;;
	*) cat /tmp/nth.out; fail "fail-nth $n: the read went wrong" ;;
	esac
	settled "fail-nth $n"
	n=$((n + 1))
done
injected=$((failed + short + whole))
echo "failslab: $injected allocation(s) failed in turn: the read failed $failed time(s), returned short $short time(s), whole $whole time(s); $skipped read(s) passed fewer sites"
enomem=$(cat $Q/enomem)
echo "failslab: iocountfs's own failures: $enomem"
[ $injected -gt 0 ] || fail "no allocation of the read was made to fail"
case $enomem in
"init_request 0 "* | *" issue_read 0") fail "a failure path of iocountfs's was not reached: $enomem" ;;
esac
iocfs_umount || fail "umount failed"
misses=$(sed -n 2p $D/requests)
echo "failslab: $misses"
echo "$misses" | grep -q 'netfs_alloc_request 0 (and 0 for' || fail "an allocation was missed: $misses"
echo "$misses" | grep -q 'netfs_free_request_rcu 0,' || fail "a free was missed: $misses"
echo 0 >$P/track_netfs
iocfs_unload || fail "unloading the modules failed"
kmemleak_clean failslab
