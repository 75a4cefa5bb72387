# SPDX-License-Identifier: GPL-2.0
# Guest scenario (6.10+: Debian's stock 6.12 with netfs.ko, the 7.3 debug
# kernel): a track_netfs store racing with rmmod.  Parameter files outlive
# module_exit() and a store takes no module reference, so a store during
# exit must be refused with ENODEV and a line saying why, never attach
# probes into the module being freed.  The library is loaded with
# track_netfs=1 and test_exit_delay_ms (a load parameter for tests, with
# no sysfs file): module exit, once it has closed the switch and
# detached, holds that long with the parameter files still there, and the
# scenario writes track_netfs then, while rmmod runs.  Afterwards no probe
# of track_netfs may be left registered (kprobes/list, enabled_functions),
# and a fresh load switches at run time and unloads clean.
# timeout: 300

. /guest/stall-lib.sh

P=/sys/module/netfs_iocount/parameters
HELD='track_netfs closed; module exit held'

fail() {
	echo "track-unload-race: $*"
	exit 1
}

exit_held() { dmesg | grep -q "$HELD"; }

# refused VALUE: writing VALUE to track_netfs fails with ENODEV, and says
# why in the kernel log.
refused() {
	if (echo "$1" >"$P/track_netfs") 2>/tmp/err; then
		fail "track_netfs=$1 was accepted during rmmod"
	fi
	grep -q 'No such device' /tmp/err ||
		fail "track_netfs=$1 during rmmod failed with '$(cat /tmp/err)', not ENODEV"
	dmesg | grep -q "track_netfs=$1 refused: netfs_iocount is being unloaded" ||
		fail "track_netfs=$1 was refused during rmmod without saying why"
}

# netfs_refs: netfs.ko's reference count, "built-in" where netfs is not a
# module.  Tracking pins netfs.ko, found through the tracepoint module
# notifier, while it is attached.
netfs_refs() { cat /sys/module/netfs/refcnt 2>/dev/null || echo built-in; }

# netfs is a module on the stock kernels and the 6.12 debug one.
modprobe netfs
refs=$(netfs_refs)
track_probes_listable
[ "$(track_probes_count)" -eq 0 ] || fail "probes on netfs's functions before loading:
$(track_probes)"

insmod /modules/netfs_iocount.ko track_netfs=1 test_exit_delay_ms=10000 ||
	fail "insmod with track_netfs=1 test_exit_delay_ms=10000 failed"
[ "$(cat "$P/track_netfs")" = Y ] || fail "track_netfs=1 at load did not attach"
[ ! -e "$P/test_exit_delay_ms" ] || fail "the test parameter has a sysfs file"
n=$(track_probes_count)
[ "$n" -eq $TRACK_PROBES ] || fail "$n of track_netfs's $TRACK_PROBES probes registered while attached:
$(track_probes)"
track_probes
echo "track-unload-race: loaded with track_netfs=1, its $TRACK_PROBES probes registered"
if [ "$refs" != built-in ]; then
	[ "$(netfs_refs)" -eq $((refs + 1)) ] ||
		fail "netfs.ko has $(netfs_refs) references while tracked, $refs before: not pinned"
	echo "track-unload-race: netfs.ko pinned while tracked"
fi

rmmod netfs_iocount &
rmmod_pid=$!
until_true 30 "module exit never reached its hold ('$HELD')" exit_held
[ -e "$P/track_netfs" ] || fail "track_netfs's file is gone already: nothing left to race with"
refused 1
refused 0
[ "$(cat "$P/track_netfs")" = N ] || fail "track_netfs reads $(cat "$P/track_netfs") during rmmod, not N"
# The stores ran inside exit's hold: the module is still there, going.
state=$(cat /sys/module/netfs_iocount/initstate 2>/dev/null || true)
[ "$state" = going ] ||
	fail "the module is '$state' after the stores, not going: the race was not held open"
echo "track-unload-race: track_netfs=1 and =0 refused with ENODEV during module exit"

wait $rmmod_pid || fail "rmmod failed"
if grep -q '^netfs_iocount ' /proc/modules; then
	fail "netfs_iocount is still loaded after rmmod"
fi
n=$(track_probes_count)
if [ "$n" -ne 0 ]; then
	track_probes
	fail "$n probe(s) of track_netfs left registered after rmmod, their handlers freed"
fi
[ "$(netfs_refs)" = "$refs" ] ||
	fail "netfs.ko has $(netfs_refs) references after rmmod, $refs before: its pin leaked"
echo "track-unload-race: rmmod done, no probe of track_netfs left"

# A fresh load: the switch opens again, at run time, and closes at exit.
insmod /modules/netfs_iocount.ko || fail "insmod after the race failed"
[ "$(cat "$P/track_netfs")" = N ] || fail "track_netfs is on after a plain load"
echo 1 >"$P/track_netfs" || fail "track_netfs=1 refused after a fresh load"
[ "$(track_probes_count)" -eq $TRACK_PROBES ] || fail "track_netfs=1 at run time did not register its $TRACK_PROBES probes"
echo 0 >"$P/track_netfs" || fail "track_netfs=0 refused"
[ "$(track_probes_count)" -eq 0 ] || fail "track_netfs=0 left probes registered"
echo 1 >"$P/track_netfs" || fail "track_netfs=1 refused the second time"
rmmod netfs_iocount || fail "rmmod with tracking on failed"
[ "$(track_probes_count)" -eq 0 ] || fail "rmmod with tracking on left probes registered"
[ "$(dmesg | grep -c "$HELD")" -eq 1 ] || fail "module exit held without test_exit_delay_ms"
echo "track-unload-race: a fresh load switched at run time and unloaded with nothing left"
