# SPDX-License-Identifier: GPL-2.0
# Guest scenario (6.10+: Debian's stock 6.12 with netfs.ko, the 7.3 debug
# kernel): with track_netfs=1, netfs's request frees run nested in another
# probe's handler, and none may be lost.  probebusy keeps a kprobe handler
# spinning on CPU 0 most of the time with interrupts on, so the RCU
# callbacks that free netfs requests run, in softirqs, inside it; a kprobe
# hit there is dropped by the kprobe core, so a library that saw the free
# with a kprobe would keep a record of a freed request (and report it
# stalled later).  iocountfs is mounted, read and unmounted in a loop
# meanwhile.  Afterwards the window must have opened (probebusy's own RCU
# callbacks ran inside its spins), and once the frees have drained, no
# record may be left and no free missed.
# timeout: 300

. /guest/iocountfs-lib.sh
. /guest/stall-lib.sh

P=/sys/module/netfs_iocount/parameters
B=/sys/module/probebusy/parameters
D=/sys/kernel/debug/netfs_iocount
ROUNDS=${NESTED_ROUNDS:-40}

fail() {
	echo "track-nested-free: $*"
	echo 0 >$B/run 2>/dev/null || true
	head -n 2 $D/requests 2>/dev/null || true
	exit 1
}

iocfs_load
echo 1 >$P/track_netfs || fail "track_netfs=1 refused"
insmod /modules/probebusy.ko || fail "insmod probebusy failed"
echo 1 >$B/run || fail "probebusy did not start"

i=0
while [ $i -lt "$ROUNDS" ]; do
	mount -t iocountfs -o files=4,size=262144,latency_ms=1 iocountfs /mnt ||
		fail "mount failed in round $i"
	cat /mnt/f0 /mnt/f1 /mnt/f2 /mnt/f3 >/dev/null || fail "read failed in round $i"
	iocfs_umount || fail "umount failed in round $i"
	i=$((i + 1))
done
echo 0 >$B/run || fail "probebusy did not stop"
echo "track-nested-free: $ROUNDS rounds; probebusy: $(cat $B/spins) spins, $(cat $B/nested) RCU callbacks nested in them, $(cat $B/irqs_off) entered with interrupts off"

[ "$(cat $B/irqs_off)" -eq 0 ] ||
	fail "probebusy's kprobe ran with interrupts off (not entered through ftrace): no softirq can nest in it"
[ "$(cat $B/nested)" -gt 0 ] ||
	fail "no RCU callback ran inside probebusy's handler: the window never opened"

# no_free_missed: the probes' counts show every free seen; else fail().
no_free_missed() {
	local misses
	misses=$(sed -n 2p $D/requests)
	echo "track-nested-free: $misses"
	echo "$misses" | grep -q 'netfs_free_request_rcu 0,' ||
		fail "a free was missed: $misses"
	echo "$misses" | grep -q ' 0 record(s) replaced' ||
		fail "a free was missed (its record was replaced when the address came again): $misses"
}

# A miss counted already fails at once; the frees still to come (lazy RCU
# callbacks) are counted once the records are gone.
no_free_missed
until_true 20 "records outlived their requests by 20 s: a free was missed" no_record_left
no_free_missed
echo "track-nested-free: every free seen, no record left"

rmmod probebusy || fail "rmmod probebusy failed"
echo 0 >$P/track_netfs
iocfs_unload || fail "unloading failed"
kmemleak_clean track-nested-free
