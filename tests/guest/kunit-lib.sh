# SPDX-License-Identifier: GPL-2.0
# Shared by the KUnit scenarios (sourced, not run).

# kunit_print_results [PREFIX]: every suite's results in debugfs, between
# markers naming PREFIX and the suite, for kunit.py parse on the host
# (scripts/lib.sh: ktap_extract).
kunit_print_results() {
	local dir marker
	for dir in /sys/kernel/debug/kunit/*/; do
		marker=${1:-}$(basename "$dir")
		echo "NETFS_IOCOUNT_KTAP_BEGIN $marker"
		cat "$dir/results"
		echo "NETFS_IOCOUNT_KTAP_END $marker"
	done
}

# kunit_run_module MODULE [PREFIX]: load a KUnit test module, print its
# results (kunit_print_results PREFIX) and unload it.  The diagnostics
# suite runs with khungtaskd looking every 2 seconds (see kunit.sh).
kunit_run_module() {
	local name hung=/proc/sys/kernel/hung_task_timeout_secs
	name=$(basename "$1" .ko)
	[ "$name" != netfs_iocount_debug_kunit ] || echo 2 >"$hung"
	insmod "$1"
	echo 60 >"$hung"
	kunit_print_results "${2:-}"
	rmmod "$name"
}
