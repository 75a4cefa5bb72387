# SPDX-License-Identifier: GPL-2.0
# Guest scenario: netfs_iocount_hotfix with its fewest return probe
# instances (maxactive=16) and more 9p frees asleep at once (held by
# p9hold in ->free_request()) than that: the frees beyond 16 go unseen.
# No cache is bound (cache=loose): each read is served in the reading
# task, which frees its request, and p9hold queues each of those frees
# (defer=1) to hold it: this scenario is also the proof that defer works.
# An eviction then waits for a count that no free will lower; that must
# never be a silent hang: the misses are counted in debugfs, the log says
# frees went unseen and names the waiting eviction with them, and the
# library's hung report names its inode.  The eviction is that of an
# unlinked file, which leaves sync and the power-off free to run.
# timeout: 300

. /guest/9p-race-lib.sh
. /guest/stall-lib.sh
. /guest/hotfix-lib.sh

HOLD=20

fail() {
	echo "9p-hotfix-misses: $*"
	exit 1
}

modprobe 9p
modprobe 9pnet_virtio
insmod /modules/netfs_iocount.ko hung_warn_secs=5
hotfix_load maxactive=16
p9race_load
echo 0 >$H/delay_ms
echo 1 >$H/defer
echo 1 >$H/hold

# Each pass reads the four files again, their page cache dropped (inodes
# kept): new requests, each free queued by p9hold and held in a worker.
mount -t 9p -o trans=virtio,version=9p2000.L,cache=loose p9share /mnt
pass=0
while [ "$(cat $H/held)" -le $HOLD ]; do
	pass=$((pass + 1))
	[ $pass -le 20 ] || fail "only $(cat $H/held) frees held after 20 passes"
	for f in 0 1 2 3; do
		cat "/mnt/r$f.dat" >/dev/null
	done
	echo 1 >/proc/sys/vm/drop_caches
	usleep 200000
done
[ "$(cat $H/deferred)" -ge "$(cat $H/held)" ] ||
	fail "$(cat $H/held) frees held, only $(cat $H/deferred) queued from the reader: p9hold's defer missed some"
echo "9p-hotfix-misses: $(cat $H/held) frees held at once, $(cat $H/deferred) queued from the reader, maxactive $(hotfix_stat maxactive)"
missed=$(hotfix_stat missed_free)
[ "$missed" -ge 1 ] || fail "no free went unseen with $(cat $H/held) held and maxactive 16"

# Unlinked, a closed file's inode is evicted at once, by rm, which holds
# nothing that sync or the power-off needs (umount would hold s_umount).
rm /mnt/r0.dat /mnt/r1.dat /mnt/r2.dat /mnt/r3.dat &
usleep 500000
echo 1 >$H/release
echo 0 >$H/hold
until_true 30 "the unseen frees were never reported" \
	in_log 'netfs_iocount_hotfix: .* free(s) of netfs requests went unseen'
until_true 30 "no waiting eviction was named with the unseen frees" \
	in_log 'netfs_iocount_hotfix: eviction of .* free(s) unseen: it may be waiting for one of those'
until_true 30 "the library's hung report did not name the waiting inode" \
	in_log 'netfs_iocount: task .* has waited .* outstanding I/O request(s) on inode'
dmesg | grep 'netfs_iocount' | grep -E 'unseen|has waited' | sed 's/^\[[^]]*\] //' | sort -u |
	sed 's/^/9p-hotfix-misses: /'
[ "$(hotfix_stat missed_free)" -ge "$missed" ] || fail "the miss count went down"
cat $HOTFIX_D
echo "9p-hotfix-misses: $missed free(s) unseen with maxactive 16: counted, reported, and the waiting eviction named"
