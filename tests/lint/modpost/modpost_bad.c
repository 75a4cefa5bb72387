// SPDX-License-Identifier: GPL-2.0
/* Compiles clean; only modpost sees the fault: a section mismatch. */
#include <linux/init.h>
#include <linux/module.h>

static noinline int __init modpost_bad_setup(void)
{
	return 0;
}

/* Data that outlives init pointing into .init.text, freed after boot. */
static int (*modpost_bad_hook)(void) __used = modpost_bad_setup;

MODULE_DESCRIPTION("Deliberately bad: a section mismatch for modpost");
MODULE_LICENSE("GPL");
