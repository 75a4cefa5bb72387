# SPDX-License-Identifier: GPL-2.0
# Guest scenario: load the library and each KUnit suite in turn, print the
# suite's results from debugfs between markers for the host to parse with
# kunit.py parse, and unload everything.  The diagnostics suite runs with
# khungtaskd looking every 2 seconds: its hung wait (task iocount-hung)
# must be reported there too, with the wait on the blocked task's stack
# (scripts/check looks).  The harness's own waits are bounded, but may
# outlast 2 seconds (insmod waits for each case; a test thread waits up to
# 5 seconds for a broken build's waiter): those reports are tolerated.
# expect-splat: INFO: task (iocount-hung|iocount-end|insmod|kunit_try_catch):[0-9]+ blocked for more than [0-9]+ seconds
# timeout: 900

. /guest/kunit-lib.sh
# A debug kernel's netfs.ko carries the KUnit suite of its count (the
# series' tests), run when it loads.
modprobe netfs
insmod /modules/netfs_iocount.ko
for mod in /modules/netfs_iocount_*kunit.ko; do
	kunit_run_module "$mod"
done
rmmod netfs_iocount
