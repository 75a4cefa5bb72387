// SPDX-License-Identifier: GPL-2.0
#include <linux/module.h>

int w1_bad_no_prototype(int a)
{
	int unused;

	return a;
}

MODULE_LICENSE("GPL");
