# SPDX-License-Identifier: GPL-2.0
# Guest scenario: print the results of the KUnit suites built into the
# kernel (they ran at boot), between markers for kunit.py parse on the host.
# timeout: 300

. /guest/kunit-lib.sh
kunit_print_results
