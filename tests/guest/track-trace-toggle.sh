# SPDX-License-Identifier: GPL-2.0
# Guest scenario (6.10+; under lockdep on the 7.3 debug kernel, also runs
# on Debian's stock 6.12 with netfs.ko): the trace events' registration
# against track_netfs's switch.  Enabling the begin or end event runs its
# regfunc under the tracepoint core's tracepoints_mutex; track_netfs=1
# registers on netfs's own trace event (tracepoints_mutex) with the
# library's switch lock held: the regfunc must take no lock of the
# library's.  The scenario enables and disables the netfs_iocount events
# and switches statistics in one loop, toggles track_netfs in another,
# while the consumer module does begin/end against a waiter, so that the
# debug key's users come and go under load; at most TOGGLE_ROUNDS (200)
# rounds or 20 s.  A lockdep report fails the run (guest-run sees it on the
# console, and the scenario checks that lockdep is still on); a deadlock
# fails it by its timeout.
#
# The guest has one CPU.  Lockdep needs none to see an inversion (it
# records each order as it is taken), and the three loops still interleave
# under preemption; with two CPUs, these hundreds of static-key patches a
# second on 6.12 under QEMU's TCG have ended three times in an unclaimed
# int3 at a patched site (in __schedule(), in the library's
# netfs_iocount_debug_ended(), once unrecorded), never on 7.3, whose
# text_poke_bp() was rewritten: a fault of the patching protocol on that
# emulator, in which no lock of ours takes part.
# timeout: 300
# smp: 1

P=/sys/module/netfs_iocount/parameters
E=/sys/kernel/tracing/events/netfs_iocount/enable
ROUNDS=${TOGGLE_ROUNDS:-200}
SECS=20

fail() {
	echo "track-trace-toggle: $*"
	touch /tmp/stop
	exit 1
}

# lockdep_on: lockdep runs and has not switched itself off on a report.
lockdep_on() { grep -qE '^ *debug_locks: +1$' /proc/lockdep_stats; }

# in_time N END: a loop that has done N rounds goes on: fewer than ROUNDS,
# and the time END (date +%s) not reached.
in_time() {
	[ "$1" -lt "$ROUNDS" ] || return 1
	[ "$(date +%s)" -lt "$2" ]
}

# The trace events (each of begin and end holds the debug key while
# enabled, through its regfunc) and statistics, until stopped.
toggle_events() {
	local i=0 end=$(($(date +%s) + SECS))
	while [ ! -e /tmp/stop ] && in_time $i $end; do
		echo 1 >"$E"
		echo 1 >"$P/stats"
		echo 0 >"$E"
		echo 0 >"$P/stats"
		i=$((i + 1))
	done
	echo $i >/tmp/event-rounds
}

# The consumer's begin/end against a waiter, one load after another; a
# load fails when the count does not drain or a wake-up is lost.
run_consumer() {
	local n=0
	while [ ! -e /tmp/stop ]; do
		insmod /modules/netfs_iocount_consumer.ko threads=2 requests=2000
		rmmod netfs_iocount_consumer
		n=$((n + 1))
	done
	echo $n >/tmp/consumer-runs
}

# netfs is a module on the stock kernels and the 6.12 debug one.
modprobe netfs
insmod /modules/netfs_iocount.ko
[ -e "$E" ] || fail "no $E: tracefs not mounted, or no netfs_iocount events"
if [ -e /proc/lockdep_stats ]; then
	lockdep_on || fail "lockdep is off before the test: an earlier report switched it off"
	echo "track-trace-toggle: lockdep on"
else
	echo "track-trace-toggle: no lockdep here: only a deadlock (the timeout) can fail the run"
fi
echo 1 >"$P/track_netfs" || fail "track_netfs=1 refused: this kernel cannot track netfs's requests"
echo 0 >"$P/track_netfs"

# Enabling an event also starts tracing's recording of task names, which
# patches the sched_switch tracepoint's static key inside __schedule()
# at each toggle: on a stock 6.12 guest under TCG, one such patch of a
# function every CPU runs has ended in an unclaimed int3 (an Oops in
# __schedule(), no code of ours on the stack).  The names are no part of
# what is tested here, so they are not recorded.
echo 0 >/sys/kernel/tracing/options/record-cmd ||
	fail "cannot switch off tracing's record-cmd"

rm -f /tmp/stop
toggle_events &
events_pid=$!
run_consumer &
consumer_pid=$!
i=0
end=$(($(date +%s) + SECS))
while in_time $i $end; do
	echo 1 >"$P/track_netfs" || fail "round $i: track_netfs=1 failed"
	echo 0 >"$P/track_netfs" || fail "round $i: track_netfs=0 failed"
	i=$((i + 1))
done
touch /tmp/stop
wait $events_pid || fail "the trace event toggler failed"
wait $consumer_pid || fail "a consumer run failed (see its line above)"
echo "track-trace-toggle: $i rounds of track_netfs, $(cat /tmp/event-rounds) of the events and stats, $(cat /tmp/consumer-runs) consumer runs"
[ "$i" -ge 1 ] || fail "track_netfs was never toggled"
[ "$(cat /tmp/event-rounds)" -ge 1 ] || fail "the trace events were never toggled"

[ "$(cat "$P/track_netfs")" = N ] || fail "track_netfs left on"
grep -qx 0 "$E" || fail "netfs_iocount events left enabled: $(cat "$E")"
if dmesg | grep -qE 'possible circular locking dependency|possible recursive locking|inconsistent lock state'; then
	fail "lockdep reported a locking problem (above)"
fi
if [ -e /proc/lockdep_stats ]; then
	lockdep_on || fail "lockdep switched itself off during the test: it reported a locking problem (above)"
fi
rmmod netfs_iocount
echo "track-trace-toggle: events, stats and track_netfs toggled together, no lockdep report"
