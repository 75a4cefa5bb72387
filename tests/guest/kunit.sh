# SPDX-License-Identifier: GPL-2.0
# Guest scenario: load the library and each KUnit suite in turn, print the
# suite's results from debugfs between markers for the host to parse with
# kunit.py parse, and unload everything.
# timeout: 900

insmod /modules/netfs_iocount.ko
for mod in /modules/netfs_iocount_*kunit.ko; do
	name=$(basename "$mod" .ko)
	insmod "$mod"
	for dir in /sys/kernel/debug/kunit/*/; do
		suite=$(basename "$dir")
		echo "NETFS_IOCOUNT_KTAP_BEGIN $suite"
		cat "$dir/results"
		echo "NETFS_IOCOUNT_KTAP_END $suite"
	done
	rmmod "$name"
done
rmmod netfs_iocount
