# SPDX-License-Identifier: GPL-2.0
# Guest scenario: the negative controls of the library's KUnit suites, in
# one boot.  /modules/FAULT/ holds the library built with
# tests/faults/FAULT.patch and the KUnit suite meant to catch it, built
# against it; for each FAULT in turn, load that library and the suite, print the
# suite's results between markers named FAULT.SUITE (scripts/check looks
# for the case and the message each fault must fail with), and unload all.
# A case that fails rescues its own threads (the suites' waits are
# bounded), so the next fault starts on a clean kernel.  The reports the
# broken builds provoke (hung waits, with khungtaskd at 2 seconds as in
# kunit.sh) are tolerated.
# expect-splat: INFO: task (iocount-[a-z]+|insmod|kunit_try_catch|kworker/[^ ]*):[0-9]+ blocked for more than [0-9]+ seconds
# timeout: 1500

. /guest/kunit-lib.sh
hung=/proc/sys/kernel/hung_task_timeout_secs
for dir in /modules/*/; do
	fault=$(basename "$dir")
	echo "control: $fault"
	insmod "$dir/netfs_iocount.ko"
	for mod in "$dir"/netfs_iocount_*kunit.ko; do
		name=$(basename "$mod" .ko)
		[ "$name" != netfs_iocount_debug_kunit ] || echo 2 >"$hung"
		insmod "$mod"
		echo 60 >"$hung"
		kunit_print_results "$fault."
		rmmod "$name"
	done
	rmmod netfs_iocount
done
