# SPDX-License-Identifier: GPL-2.0
# Guest scenario (debug kernel): the diagnostics seen from user space.
# Parameters refuse bad values and keep their old ones; debugfs files are
# root-only; the trace events exist in tracefs and fire once enabled; the
# statistics file follows the switches.
# timeout: 300

P=/sys/module/netfs_iocount/parameters
D=/sys/kernel/debug/netfs_iocount
T=/sys/kernel/tracing

insmod /modules/netfs_iocount.ko

refuse() {	# refuse PARAM VALUE: the write fails, the value stays
	before=$(cat "$P/$1")
	if echo "$2" >"$P/$1" 2>/dev/null; then
		echo "$1 accepted '$2'"
		return 1
	fi
	[ "$(cat "$P/$1")" = "$before" ] || { echo "$1 changed on '$2'"; return 1; }
}
refuse hung_warn_secs -1
refuse hung_warn_secs 86401
refuse hung_warn_secs abc
refuse track 2
refuse track maybe
refuse stats 7
refuse track_netfs maybe
refuse watchdog_secs 0
refuse watchdog_secs 86401
refuse watchdog_wait_secs abc
echo "parameters: bad values refused, old values kept"

# Before 6.10 there is nothing to track: netfs has no io_count, or (6.1
# with the series) it has one but frees requests with no RCU callback.
case $(uname -r) in
[1-5].*|6.[0-9].*|6.[0-9]-*)
	err=$( (echo 1 >"$P/track_netfs") 2>&1 || true)
	[ "$(cat "$P/track_netfs")" = N ] || { echo "track_netfs switched on"; exit 1; }
	echo "$err" | grep -q 'not supported' ||
		{ echo "track_netfs=1 failed with '$err', not EOPNOTSUPP"; exit 1; }
	dmesg | grep -qE 'track_netfs: netfs (has no io_count before 6.10|here has io_count but frees requests with no RCU callback)' ||
		{ echo "track_netfs=1 refused without saying why"; exit 1; }
	echo "track_netfs: refused with EOPNOTSUPP, and why, before 6.10"
	;;
esac

for f in stats outstanding requests; do
	mode=$(stat -c %a "$D/$f")
	[ "$mode" = 400 ] || { echo "$D/$f has mode $mode, not 400"; exit 1; }
	if echo 0 >"$D/$f" 2>/dev/null; then
		echo "$D/$f accepted a write"
		exit 1
	fi
done
echo "debugfs: stats, outstanding and requests are root-only (0400) and refuse writes"

for ev in begin end underflow wait_start wait_end hung; do
	[ -d "$T/events/netfs_iocount/netfs_iocount_$ev" ] ||
		{ echo "no trace event netfs_iocount_$ev"; exit 1; }
done
echo 1 >"$T/events/netfs_iocount/enable"
insmod /modules/netfs_iocount_consumer.ko threads=1 requests=1000
rmmod netfs_iocount_consumer
echo 0 >"$T/events/netfs_iocount/enable"
begins=$(grep -c 'netfs_iocount_begin:' "$T/trace")
ends=$(grep -c 'netfs_iocount_end:' "$T/trace")
echo "tracefs: $begins begin and $ends end events for 1000 requests"
[ "$begins" -eq 1000 ] || { echo "$begins begin events, not 1000"; exit 1; }
[ "$ends" -eq 1000 ] || { echo "$ends end events, not 1000"; exit 1; }
grep -m 1 'netfs_iocount_begin:' "$T/trace"

echo 1 >"$P/stats"
insmod /modules/netfs_iocount_consumer.ko threads=2 requests=1000
rmmod netfs_iocount_consumer
grep -q '^begins 2000$' "$D/stats" ||
	{ echo "stats do not show 2000 begins:"; cat "$D/stats"; exit 1; }
grep -q '^ends 2000$' "$D/stats" ||
	{ echo "stats do not show 2000 ends:"; cat "$D/stats"; exit 1; }
cat "$D/stats"
echo 0 >"$P/stats"
if grep -qE '^(begins|ends|waits)' "$D/stats"; then
	echo "stats off, yet the totals are shown:"
	cat "$D/stats"
	exit 1
fi
echo "stats: 2000 begins and ends counted while on, hidden while off"

# Through the glue, a record names the filesystem function that began the
# request (iocountfs's init_request), not the glue, and is dropped by that
# request's own end: none is left once the umount has waited.  Where netfs
# counts requests itself (6.10+, 6.1 with the backport), iocountfs begins
# none through the glue.  scripts/check says from the kernel which it is
# (DIAG_GLUE_TRACKING=1: the section must run).
# netfs is a module on the 6.12 debug kernel.
modprobe netfs
insmod /modules/netfs_iocount_glue.ko
insmod /modules/iocountfs.ko
counter=$(cat /sys/module/iocountfs/parameters/counter)
case ${DIAG_GLUE_TRACKING:?DIAG_GLUE_TRACKING is not set}/$counter in
0/netfs)
	echo "tracking: netfs counts iocountfs's requests itself here; nothing to track through the glue"
	rmmod iocountfs
	rmmod netfs_iocount_glue
	rmmod netfs_iocount
	exit 0
	;;
1/netfs)
	echo "tracking: netfs has no io_count here, yet iocountfs counts with netfs's: the glue section would be skipped"
	exit 1
	;;
0/*)
	echo "tracking: netfs counts requests here, yet iocountfs counts with '$counter'"
	exit 1
	;;
esac
echo "tracking: iocountfs counts its requests through the glue ($counter)"
mkdir -p /mnt
echo 1 >"$P/track"
mount -t iocountfs -o files=1,size=65536,latency_ms=0,release_ms=1000 iocountfs /mnt
cat /mnt/f0 >/dev/null
grep -m 1 'begun by' "$D/outstanding"
grep -q 'begun by iocfs_init_request+' "$D/outstanding" ||
	{ echo "no record names iocfs_init_request:"; cat "$D/outstanding"; exit 1; }
if grep 'begun by' "$D/outstanding" | grep -v 'begun by iocfs_init_request+'; then
	echo "a record names another function than the filesystem's"
	exit 1
fi
umount /mnt
if grep -q 'begun by' "$D/outstanding"; then
	echo "records left after the umount waited for every request:"
	cat "$D/outstanding"
	exit 1
fi
echo 0 >"$P/track"
echo "tracking: requests named by iocfs_init_request while outstanding, none left after umount"
rmmod iocountfs
rmmod netfs_iocount_glue

rmmod netfs_iocount
