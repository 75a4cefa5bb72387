# SPDX-License-Identifier: GPL-2.0
# Shared by the scenarios that end with a leak check (sourced, not run).

# uptime_cs: the guest's uptime in hundredths of a second.
uptime_cs() { awk '{ printf "%d\n", $1 * 100 }' /proc/uptime; }

# kmemleak_clean PREFIX: on a kernel with kmemleak, two scans whose reports
# reach the console (and fail the run).  kmemleak reports an object that no
# scan found a reference to, if its contents did not change since the scan
# before (the first scan after its allocation only takes its checksum) and
# if it was allocated 5 seconds before the scan began.  So the second scan
# begins 5.5 seconds after this call, when whatever the scenario allocated
# is old enough: under TCG the first scan takes most of that itself, where
# a sleep before both used to come on top of them.  The second before the
# first lets the deferred frees of the scenario's unload (RCU callbacks,
# work items) run.
kmemleak_clean() {
	local called left
	if [ ! -e /sys/kernel/debug/kmemleak ]; then
		# The kernel decides: one built with kmemleak must offer the scan.
		! grep -qw kmemleak_scan /proc/kallsyms ||
			{ echo "$1: kmemleak is built in, but its debugfs file is missing"; return 1; }
		return 0
	fi
	called=$(uptime_cs)
	sleep 1
	echo scan >/sys/kernel/debug/kmemleak
	left=$((called + 550 - $(uptime_cs)))
	[ $left -le 0 ] || usleep $((left * 10000))
	echo scan >/sys/kernel/debug/kmemleak
	cat /sys/kernel/debug/kmemleak
	echo "$1: kmemleak scans done in $((($(uptime_cs) - called) / 100)) s"
}
