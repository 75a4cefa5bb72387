# SPDX-License-Identifier: GPL-2.0
# Guest scenario: the negative controls of the library's KUnit suites, in
# one boot.  /data/controls lists "FAULT SUITE CASE" lines; /modules/FAULT/
# holds the library built with tests/faults/FAULT.patch and SUITE's module
# built against it.  For each FAULT in turn: load that library and the
# suite, print the suite's results between markers named FAULT.SUITE
# (scripts/check looks for CASE and the message it must fail with), and
# unload both.  Each suite was built to run CASE only (tests/Kbuild,
# NETFS_IOCOUNT_KUNIT_CASE), since a broken build makes every case that
# waits on it run to its bound.  A case that fails rescues its own threads
# (the suites' waits are bounded), so the next fault starts on a clean
# kernel.  The reports the broken builds provoke (hung waits, with
# khungtaskd at 2 seconds as in kunit.sh) are tolerated.
# expect-splat: INFO: task (iocount-[a-z]+|insmod|kunit_try_catch|kworker/[^ ]*):[0-9]+ blocked for more than [0-9]+ seconds
# timeout: 1500

. /guest/kunit-lib.sh
while read -r fault suite case; do
	echo "control $fault, case $suite.$case"
	insmod "/modules/$fault/netfs_iocount.ko"
	kunit_run_module "/modules/$fault/${suite}_kunit.ko" "$fault."
	rmmod netfs_iocount
done </data/controls
