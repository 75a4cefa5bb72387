// SPDX-License-Identifier: GPL-2.0
#include <linux/module.h>
#include <linux/uaccess.h>

static int sparse_bad_read(const int __user *p)
{
	return *p;
}

static int __init sparse_bad_init(void)
{
	return sparse_bad_read(NULL);
}

module_init(sparse_bad_init);
MODULE_LICENSE("GPL");
