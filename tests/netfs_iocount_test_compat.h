/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel interfaces that moved across versions and that only the test
 * modules use; the library's own are in ../netfs_iocount_compat.h.
 */
#ifndef _NETFS_IOCOUNT_TEST_COMPAT_H
#define _NETFS_IOCOUNT_TEST_COMPAT_H

#include <linux/kthread.h>
#include <linux/sched.h>
#include <linux/version.h>

/* A task's state: ->state became ->__state in 5.14. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(5, 14, 0)
#define netfs_iocount_task_state(t) READ_ONCE((t)->__state)
#else
#define netfs_iocount_task_state(t) READ_ONCE((t)->state)
#endif

/* kthread_complete_and_exit() was complete_and_exit() before 5.17. */
#if LINUX_VERSION_CODE < KERNEL_VERSION(5, 17, 0)
#define kthread_complete_and_exit(comp, code) complete_and_exit(comp, code)
#endif

#endif /* _NETFS_IOCOUNT_TEST_COMPAT_H */
