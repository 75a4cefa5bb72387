# SPDX-License-Identifier: GPL-2.0
# Guest scenario: load the library and each KUnit suite in turn, print the
# suite's results from debugfs between markers for the host to parse with
# kunit.py parse, and unload everything.
# timeout: 900

. /guest/kunit-lib.sh
insmod /modules/netfs_iocount.ko
for mod in /modules/netfs_iocount_*kunit.ko; do
	name=$(basename "$mod" .ko)
	insmod "$mod"
	kunit_print_results
	rmmod "$name"
done
rmmod netfs_iocount
