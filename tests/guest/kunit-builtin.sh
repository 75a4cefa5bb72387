# SPDX-License-Identifier: GPL-2.0
# Guest scenario: print the results of the KUnit suites built into the
# kernel (they ran at boot), between markers for kunit.py parse on the host.
# timeout: 300

for dir in /sys/kernel/debug/kunit/*/; do
	suite=$(basename "$dir")
	echo "NETFS_IOCOUNT_KTAP_BEGIN $suite"
	cat "$dir/results"
	echo "NETFS_IOCOUNT_KTAP_END $suite"
done
