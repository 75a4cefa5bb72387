/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A negative control's build of a suite runs only the case meant to catch
 * its fault: with the fault, every case that waits on the broken library
 * runs to its bound, minutes of them.  The case is chosen at build time
 * (NETFS_IOCOUNT_KUNIT_CASE, set by tests/Kbuild), not by KUnit's
 * filter_glob: 6.1 runs a module's suites when the module is coming, before
 * its parameters are parsed, and filters no module's suites.
 */
#ifndef _NETFS_IOCOUNT_KUNIT_FILTER_H
#define _NETFS_IOCOUNT_KUNIT_FILTER_H

#include <kunit/test.h>
#include <linux/string.h>

/* Called by the suite's init, once the case's context exists for its exit. */
static inline void netfs_iocount_kunit_filter_case(struct kunit *test)
{
#ifdef NETFS_IOCOUNT_KUNIT_CASE
	if (strcmp(test->name, NETFS_IOCOUNT_KUNIT_CASE))
		kunit_skip(test, "built to run %s only", NETFS_IOCOUNT_KUNIT_CASE);
#endif
}

#endif /* _NETFS_IOCOUNT_KUNIT_FILTER_H */
