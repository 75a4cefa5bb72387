# SPDX-License-Identifier: GPL-2.0
# Guest scenario (6.10+: Debian's stock 6.12 with netfs.ko, the 6.12 debug
# kernel under lockdep and KASAN): track_netfs under a real workload on
# real 9p, for a bounded time.  Debian's stress-ng runs its iomix (buffered
# and direct writes and reads, fsync, fadvise, mmap, truncate) and
# readahead stressors on a cache=loose mount of QEMU's share, while the
# page cache is dropped every second, so that netfs keeps issuing requests.
# Meanwhile track_netfs is toggled every second and the netfs_iocount
# trace events are enabled and disabled a few times a second, in rounds of
# SOAK_ROUND_SECS (10); between rounds the library is unloaded and loaded
# again, with tracking on at the unload every other round.  The last round
# ends with tracking on: once stress-ng has ended and the mount is gone,
# every record must have gone within 30 s (a lazy RCU callback may free a
# request 10 s late), and the probes must have missed no free and replaced
# no record.  Any kernel report fails the run (guest-run).
# timeout: 3900

. /guest/stall-lib.sh

P=/sys/module/netfs_iocount/parameters
E=/sys/kernel/tracing/events/netfs_iocount/enable
D=/sys/kernel/debug/netfs_iocount
SECS=${SOAK_SECS:-60}
ROUND=${SOAK_ROUND_SECS:-10}

fail() {
	echo "track-soak: $*"
	touch /tmp/stop /tmp/round-stop
	head -n 2 $D/requests 2>/dev/null || true
	exit 1
}

# toggle_tracking: track_netfs on and off every second until the round
# stops; counts the stores in /tmp/toggles.
toggle_tracking() {
	local v=1 n=0
	while [ ! -e /tmp/round-stop ]; do
		echo $v >$P/track_netfs || { echo "track-soak: track_netfs=$v failed"; return 1; }
		v=$((1 - v))
		n=$((n + 1))
		sleep 1
	done
	echo $n >/tmp/toggles
}

# toggle_events: the trace events on and off until the round stops;
# counts the rounds in /tmp/event-rounds.
toggle_events() {
	local n=0
	while [ ! -e /tmp/round-stop ]; do
		echo 1 >$E || { echo "track-soak: enabling the events failed"; return 1; }
		usleep 150000
		echo 0 >$E || { echo "track-soak: disabling the events failed"; return 1; }
		usleep 150000
		n=$((n + 1))
	done
	echo $n >/tmp/event-rounds
}

# drop_caches: the page cache dropped every second until the workload
# stops, so that reads go to the server again.
drop_caches() {
	while [ ! -e /tmp/stop ]; do
		echo 3 >/proc/sys/vm/drop_caches
		sleep 1
	done
}

# until_stress_ends SECONDS: stress-ng has exited, within SECONDS of
# wall time.
until_stress_ends() {
	local end=$(($(date +%s) + $1))
	while kill -0 $stress_pid 2>/dev/null || pidof stress-ng >/dev/null; do
		[ "$(date +%s)" -lt "$end" ] || return 1
		sleep 1
	done
}

# round N: one round of toggling; the library stays loaded.
round() {
	rm -f /tmp/round-stop
	toggle_tracking &
	local tpid=$!
	toggle_events &
	local epid=$!
	sleep "$ROUND"
	touch /tmp/round-stop
	wait $tpid || fail "round $1: toggling track_netfs failed"
	wait $epid || fail "round $1: toggling the events failed"
	toggles=$((toggles + $(cat /tmp/toggles)))
	events=$((events + $(cat /tmp/event-rounds)))
}

# reload N: the library unloaded (with tracking on every other round) and
# loaded again.
reload() {
	echo $(($1 % 2)) >$P/track_netfs || fail "round $1: track_netfs store before rmmod failed"
	rmmod netfs_iocount || fail "round $1: rmmod failed"
	[ "$(track_probes_count)" -eq 0 ] || fail "round $1: probes left after rmmod:
$(track_probes)"
	insmod /modules/netfs_iocount.ko || fail "round $1: insmod failed"
	echo 0 >/sys/kernel/tracing/options/record-cmd
	reloads=$((reloads + 1))
}

# netfs and 9p are modules on every kernel, virtio on the stock ones.
for m in netfs virtio_pci 9pnet_virtio 9p; do
	modprobe $m 2>/dev/null || true
done
until_true 10 "no 9p channel p9share" p9_channel
track_probes_listable
insmod /modules/netfs_iocount.ko || fail "insmod netfs_iocount failed"
echo 1 >$P/track_netfs || fail "track_netfs=1 refused: this kernel cannot track netfs's requests"
# Tracing's recording of task names patches a static key in __schedule()
# at each toggle; it is no part of what is tested (track-trace-toggle.sh).
echo 0 >/sys/kernel/tracing/options/record-cmd

mkdir -p /mnt
mount -t 9p -o trans=virtio,version=9p2000.L,cache=loose p9share /mnt ||
	fail "mounting QEMU's 9p share failed"
mkdir -p /mnt/soak
rm -f /tmp/stop
stress-ng --temp-path /mnt/soak --iomix "${SOAK_IOMIX:-2}" --iomix-bytes 4m \
	--readahead 1 --readahead-bytes 4m --timeout "$((SECS + 5))s" \
	--metrics-brief >/tmp/stress.log 2>&1 &
stress_pid=$!
drop_caches &
drop_pid=$!

toggles=0 events=0 reloads=0 n=0
end=$(($(date +%s) + SECS))
while [ "$(date +%s)" -lt "$end" ]; do
	n=$((n + 1))
	round $n
	[ "$(date +%s)" -lt "$end" ] || break
	reload $n
done
echo 1 >$P/track_netfs || fail "track_netfs=1 for the last stretch failed"
echo "track-soak: $n round(s) of ${ROUND}s, $toggles track_netfs store(s), $events event toggle(s), $reloads reload(s)"

# stress_tasks_blocked: the stress-ng tasks in uninterruptible sleep (D),
# each with its kernel stack; nothing when none is.
stress_tasks_blocked() {
	local t state
	for t in $(pidof stress-ng stress-ng-iomix stress-ng-readahead 2>/dev/null); do
		state=$(sed 's/^.*) //' /proc/$t/stat 2>/dev/null | cut -d' ' -f1)
		[ "$state" = D ] || continue
		echo "track-soak: stress-ng task $t in D state:"
		cat /proc/$t/stack 2>/dev/null
	done
}

# stress-ng stops itself after SECS + 5 s, but on a saturated TCG CPU its
# workers can take minutes to notice, each waiting in turn for the file
# locks of the others' slow 9p I/O (D state, yet moving).  Whether a task
# is stuck is the hung task detector's call (a report fails the run, in
# guest-run): a minute past the timeout, stress-ng is killed, and it must
# be gone within 150 s, longer than the detector's 120 s at most.
stress_verdict=own
until_stress_ends $((SECS + 65)) || {
	echo "track-soak: stress-ng overran its timeout by a minute: killed"
	kill -KILL $stress_pid 2>/dev/null || true
	killall -KILL stress-ng stress-ng-iomix stress-ng-readahead 2>/dev/null || true
	until_stress_ends 150 || { stress_tasks_blocked; fail "stress-ng still there 150 s after SIGKILL"; }
	stress_verdict=killed
}
if [ $stress_verdict = own ]; then
	wait $stress_pid || { cat /tmp/stress.log; fail "stress-ng failed"; }
fi
touch /tmp/stop
wait $drop_pid
grep -E 'stress-ng: (info|metrc):.*(iomix|readahead) ' /tmp/stress.log || true
[ $stress_verdict = killed ] ||
	grep -qE 'successful run completed|passed: [0-9]+: ' /tmp/stress.log ||
	{ cat /tmp/stress.log; fail "stress-ng did not complete its run"; }
rm -rf /mnt/soak
umount /mnt || fail "umount failed"

until_true 30 "records outlived their requests by 30 s after the workload: a free was missed" no_record_left
misses=$(sed -n 2p $D/requests)
echo "track-soak: $misses"
echo "$misses" | grep -q 'netfs_free_request_rcu 0,' || fail "a free was missed: $misses"
echo "$misses" | grep -q ' 0 record(s) replaced' || fail "a record was replaced at a reused address: $misses"
echo 0 >$P/track_netfs
rmmod netfs_iocount || fail "the last rmmod failed"
[ "$(track_probes_count)" -eq 0 ] || fail "probes left after the last rmmod:
$(track_probes)"
kmemleak_clean track-soak
echo "track-soak: no record left, no free missed, no record replaced"
