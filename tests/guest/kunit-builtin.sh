# SPDX-License-Identifier: GPL-2.0
# Guest scenario: print the results of the KUnit suites of the kernel,
# between markers for kunit.py parse on the host: those built in (they ran
# at boot) and netfs's, which run when netfs.ko loads.
# timeout: 300

. /guest/kunit-lib.sh
modprobe netfs
kunit_print_results
