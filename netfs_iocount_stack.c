// SPDX-License-Identifier: GPL-2.0
/*
 * netfs_iocount: the stacks that records keep, in the kernel's stack depot.
 *
 * A record (netfs_iocount_track.c, netfs_iocount_rreq.c) keeps the handle
 * of the stack that began its request; the depot stores each distinct
 * stack once.  Saving never sleeps and never fails loudly: a record made
 * where the depot has no memory just has no stack.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/printk.h>
#include <linux/stackdepot.h>
#include <linux/stacktrace.h>

#include "netfs_iocount_internal.h"

/* Frames kept per stack; a few more are taken to skip our own. */
#define STACK_DEPTH	16

/*
 * Where a saved stack starts: at @caller if it is a return address on it
 * (a begin through a request helper of the glue, a probe's caller), else
 * at the first frame outside this module (an inline begin, whose @caller
 * is the address of the begin itself in its caller).
 */
static unsigned int stack_first_frame(const unsigned long *entries,
				      unsigned int nr, unsigned long caller)
{
	unsigned int i;

	for (i = 0; i < nr; i++)
		if (entries[i] == caller)
			return i;
	for (i = 0; i < nr; i++)
		if (!within_module(entries[i], THIS_MODULE))
			break;
	return i;
}

/**
 * netfs_iocount_stack_save - save the stack from a caller down, once
 * @caller: a return address on the stack, where the saved stack starts
 *
 * Context: any; does not sleep.
 * Return: the stack's handle in the stack depot, or 0 if it has none.
 */
depot_stack_handle_t netfs_iocount_stack_save(unsigned long caller)
{
	unsigned long entries[STACK_DEPTH + 8];
	unsigned int nr, first;

	if (!IS_ENABLED(CONFIG_STACKDEPOT))
		return 0;
	nr = stack_trace_save(entries, ARRAY_SIZE(entries), 0);
	first = stack_first_frame(entries, nr, caller);
	if (first == nr)
		return 0;
	return stack_depot_save(entries + first,
				min_t(unsigned int, nr - first, STACK_DEPTH),
				GFP_NOWAIT | __GFP_NOWARN);
}

/**
 * netfs_iocount_stack_fetch - the frames of a saved stack
 * @stack: a handle from netfs_iocount_stack_save(), or 0
 * @entries: set to the frames
 *
 * Return: how many frames there are; 0 for no stack.
 */
unsigned int netfs_iocount_stack_fetch(depot_stack_handle_t stack,
				       unsigned long **entries)
{
	if (!IS_ENABLED(CONFIG_STACKDEPOT) || !stack)
		return 0;
	return stack_depot_fetch(stack, entries);
}

/**
 * netfs_iocount_stack_init - make sure the stack depot is there
 *
 * Without it, records keep no stacks; that is said once, here.
 */
void netfs_iocount_stack_init(void)
{
	if (IS_ENABLED(CONFIG_STACKDEPOT) && stack_depot_init())
		pr_warn("no stack depot: records keep no stacks\n");
}
