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
