// SPDX-License-Identifier: GPL-2.0
/*
 * rcuhold: hold up RCU grace periods for a while (tests only).
 *
 * Writing MS to "hold_ms" makes the writing task spin in an RCU read-side
 * critical section for MS milliseconds, so that no RCU callback queued
 * meanwhile runs before it returns: netfs's netfs_free_request_rcu(), which
 * ends a request's life an RCU grace period after its io_count was
 * lowered, comes MS later, as it may on a machine whose callbacks are lazy
 * (CONFIG_RCU_LAZY) or whose grace periods are slow.  The spin is
 * preemptible where RCU is (PREEMPT_RCU): other tasks keep running.
 *
 * Parameter hold_ms, write-only: spin MS ms (1..10000) in rcu_read_lock().
 * The kernel log says when a hold begins and ends: a parameter that said
 * so could not be read meanwhile, as every parameter of the module is
 * under one lock while a store runs.
 */

#define pr_fmt(fmt) "rcuhold: " fmt

#include <linux/jiffies.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/rcupdate.h>

#define HOLD_MS_MAX	10000

static int param_set_hold_ms(const char *val, const struct kernel_param *kp)
{
	unsigned long end;
	unsigned int ms;

	if (kstrtouint(val, 0, &ms) || !ms || ms > HOLD_MS_MAX) {
		pr_err("hold_ms=%s is invalid: expected 1..%u\n", val,
		       HOLD_MS_MAX);
		return -EINVAL;
	}
	pr_info("holding up RCU grace periods for %u ms\n", ms);
	end = jiffies + msecs_to_jiffies(ms);
	rcu_read_lock();
	while (time_before(jiffies, end))
		cpu_relax();
	rcu_read_unlock();
	pr_info("hold ended\n");
	return 0;
}

static const struct kernel_param_ops hold_ms_ops = {
	.set = param_set_hold_ms,
};

module_param_cb(hold_ms, &hold_ms_ops, NULL, 0200);
MODULE_PARM_DESC(hold_ms, "spin this long (1..10000 ms) in an RCU read-side critical section");

/* Nothing to undo; an exit lets the module unload. */
static void __exit rcuhold_exit(void)
{
}

module_exit(rcuhold_exit);

MODULE_DESCRIPTION("Hold up RCU grace periods for a while (tests only)");
MODULE_LICENSE("GPL");
