# SPDX-License-Identifier: GPL-2.0
# Guest scenario (Debian's 6.12 PREEMPT_RT kernel): track_netfs is refused
# there, because its handlers allocate and take a spinlock_t with
# preemption off, which PREEMPT_RT forbids.  Asked for at load, the load
# fails with one line saying why; asked for at run time, the store fails
# with EOPNOTSUPP and the same line.  Either way no probe is registered
# and the library itself loads, reads track_netfs as off and unloads.
# timeout: 180

. /guest/stall-lib.sh

P=/sys/module/netfs_iocount/parameters
WHY='track_netfs: not on PREEMPT_RT'

fail() {
	echo "track-rt-refused: $*"
	exit 1
}

grep -q 'PREEMPT_RT' /proc/version ||
	fail "not a PREEMPT_RT kernel: $(cat /proc/version)"
modprobe netfs

if insmod /modules/netfs_iocount.ko track_netfs=1 2>/dev/null; then
	fail "the library loaded with track_netfs=1"
fi
grep -q '^netfs_iocount ' /proc/modules && fail "the refused load left the module loaded"
dmesg | grep -q "$WHY" || fail "the refused load did not say why"
echo "track-rt-refused: load with track_netfs=1 refused: $(dmesg | grep -m 1 "$WHY" | sed 's/^\[[^]]*\] //')"

insmod /modules/netfs_iocount.ko || fail "the library does not load on PREEMPT_RT"
before=$(dmesg | grep -c "$WHY")
if (echo 1 >"$P/track_netfs") 2>/tmp/err; then
	fail "track_netfs=1 was accepted at run time"
fi
grep -q 'Operation not supported' /tmp/err ||
	fail "track_netfs=1 failed with '$(cat /tmp/err)', not EOPNOTSUPP"
[ "$(dmesg | grep -c "$WHY")" -gt "$before" ] ||
	fail "the refused store did not say why"
[ "$(cat "$P/track_netfs")" = N ] || [ "$(cat "$P/track_netfs")" = 0 ] ||
	fail "track_netfs reads '$(cat "$P/track_netfs")' after the refusal"
track_probes_listable
[ "$(track_probes_count)" -eq 0 ] ||
	fail "a probe of track_netfs is registered: $(track_probes)"
rmmod netfs_iocount || fail "the library does not unload"
echo "track-rt-refused: refused at load and at run time with one line each, no probe registered, library loaded and unloaded"
