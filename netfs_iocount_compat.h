/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every kernel interface netfs_iocount uses that moved or changed across
 * kernel versions, probed at compile time, in this one file: a port to
 * another kernel touches nothing else.  Macros are probed with #ifdef;
 * headers, struct members and functions by LINUX_VERSION_CODE (sparse
 * 0.6.4, Debian 12's, has no __has_include()).
 *
 * Tested against 6.1 (Debian's headers and the debug kernel); written to
 * build on 5.17 and later.
 */
#ifndef _NETFS_IOCOUNT_COMPAT_H
#define _NETFS_IOCOUNT_COMPAT_H

#include <linux/version.h>
#include <linux/wait.h>
#include <linux/wait_bit.h>

/* _THIS_IP_ moved out of <linux/kernel.h> in 5.19. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(5, 19, 0)
#include <linux/instruction_pointer.h>
#else
#include <linux/kernel.h>
#endif

/* kstrtobool() moved from <linux/string.h> to <linux/kstrtox.h> in 6.2. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
#include <linux/kstrtox.h>
#else
#include <linux/string.h>
#endif

/*
 * The wait primitive: wait_var_event() in any task state with a timeout.
 * The kernel has no public macro for that combination; its building block
 * ___wait_var_event() exists since 4.16.
 */
#ifndef ___wait_var_event
#error "netfs_iocount needs ___wait_var_event() (Linux 4.16 or later)"
#endif
#define netfs_iocount_wait_var_event(var, condition, state, timeout)	\
	___wait_var_event(var, ___wait_cond_timeout(condition), state, 0, \
			  timeout, __ret = schedule_timeout(__ret))

#endif /* _NETFS_IOCOUNT_COMPAT_H */
