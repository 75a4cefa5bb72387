/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Range-checked unsigned parameters for the test modules: a bad value is
 * refused with -EINVAL and a message naming the range, and the old value
 * stays.
 */
#ifndef _NETFS_IOCOUNT_TEST_PARAM_H
#define _NETFS_IOCOUNT_TEST_PARAM_H

#include <linux/kernel.h>
#include <linux/moduleparam.h>
#include <linux/printk.h>

static inline int netfs_iocount_test_param_set(const char *val,
					       const struct kernel_param *kp,
					       unsigned int min,
					       unsigned int max)
{
	unsigned int n;

	if (kstrtouint(val, 0, &n) || n < min || n > max) {
		pr_err("%s=%s is invalid: expected %u..%u\n", kp->name, val,
		       min, max);
		return -EINVAL;
	}
	*(unsigned int *)kp->arg = n;
	return 0;
}

/* A read-only "unsigned int name" parameter taking values min..max. */
#define NETFS_IOCOUNT_TEST_PARAM(name, min, max, desc)			\
static int param_set_##name(const char *val,				\
			    const struct kernel_param *kp)		\
{									\
	return netfs_iocount_test_param_set(val, kp, min, max);		\
}									\
static const struct kernel_param_ops name##_ops = {			\
	.set = param_set_##name,					\
	.get = param_get_uint,						\
};									\
module_param_cb(name, &name##_ops, &name, 0444);			\
MODULE_PARM_DESC(name, desc)

#endif /* _NETFS_IOCOUNT_TEST_PARAM_H */
