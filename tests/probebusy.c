// SPDX-License-Identifier: GPL-2.0
/*
 * probebusy: keep a kprobe handler running on CPU 0 most of the time, with
 * interrupts on, so that the softirqs of that CPU (RCU callbacks among
 * them) run nested inside it (tests only).
 *
 * The kprobe core drops a kprobe hit while any kprobe handler runs on the
 * same CPU (kprobe_running()): a probe of the library that were a kprobe
 * would lose every event that comes in such a softirq, as an RCU callback
 * freeing a netfs request does.  A kthread bound to CPU 0 calls
 * probebusy_target() in a loop, sleeping 2 ms between calls; a kprobe on
 * it spins spin_us in its pre-handler.  At a function's entry on x86 with
 * KPROBES_ON_FTRACE the probe is entered through ftrace, with interrupts
 * as the caller had them (on); an int3 probe would run with them off and
 * open no window, which the module counts.  Before each spin the thread
 * queues an RCU callback of its own, which counts whether it ran inside a
 * spin: the proof that the window opened.
 *
 * Parameters:
 *   spin_us=US  the length of each spin, at load (100..100000, default
 *               10000)
 *   run         1 starts the thread, 0 stops it (and waits for it)
 *   spins       read-only: spins done
 *   nested      read-only: the module's RCU callbacks that ran in a spin
 *   irqs_off    read-only: handler runs entered with interrupts off
 */

#define pr_fmt(fmt) "probebusy: " fmt

#include <linux/atomic.h>
#include <linux/delay.h>
#include <linux/err.h>
#include <linux/kprobes.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>

#define SPIN_US_MIN	100
#define SPIN_US_MAX	100000

static unsigned int spin_us = 10000;
static atomic_long_t spins = ATOMIC_LONG_INIT(0);
static atomic_long_t nested = ATOMIC_LONG_INIT(0);
static atomic_long_t irqs_off = ATOMIC_LONG_INIT(0);
static DEFINE_PER_CPU(bool, spinning);
static DEFINE_MUTEX(run_lock);
static struct task_struct *busy_thread;	/* under run_lock */
static bool busy_going;			/* under run_lock: module exit began */

struct busy_rcu {
	struct rcu_head rcu;
};

static void busy_rcu_called(struct rcu_head *rcu)
{
	if (this_cpu_read(spinning))
		atomic_long_inc(&nested);
	kfree(container_of(rcu, struct busy_rcu, rcu));
}

/* What the kprobe sits on; the thread calls it. */
static noinline void probebusy_target(void)
{
	barrier();
}

static int busy_pre(struct kprobe *p, struct pt_regs *regs)
{
	u64 end;

	if (irqs_disabled()) {
		atomic_long_inc(&irqs_off);
		return 0;
	}
	/* Preemption is off in a kprobe handler: this CPU's flag. */
	this_cpu_write(spinning, true);
	end = ktime_get_ns() + (u64)spin_us * NSEC_PER_USEC;
	while (ktime_get_ns() < end && !kthread_should_stop())
		cpu_relax();
	this_cpu_write(spinning, false);
	atomic_long_inc(&spins);
	return 0;
}

static struct kprobe busy_probe = {
	.pre_handler	= busy_pre,
};

static int busy_loop(void *unused)
{
	struct busy_rcu *b;

	while (!kthread_should_stop()) {
		b = kmalloc(sizeof(*b), GFP_KERNEL);
		if (b)
			call_rcu(&b->rcu, busy_rcu_called);
		probebusy_target();
		usleep_range(2000, 2500);
	}
	return 0;
}

static int busy_start(void)
{
	struct task_struct *t;

	/* A store takes no module reference: none may start a thread late. */
	if (busy_going)
		return -ENODEV;
	if (busy_thread)
		return 0;
	t = kthread_create_on_cpu(busy_loop, NULL, 0, "probebusy/%u");
	if (IS_ERR(t))
		return PTR_ERR(t);
	busy_thread = t;
	wake_up_process(t);
	return 0;
}

static void busy_stop(void)
{
	if (!busy_thread)
		return;
	kthread_stop(busy_thread);
	busy_thread = NULL;
}

static int param_set_run(const char *val, const struct kernel_param *kp)
{
	bool on;
	int ret = 0;

	if (kstrtobool(val, &on)) {
		pr_err("run=%s is invalid: expected 0 or 1\n", val);
		return -EINVAL;
	}
	mutex_lock(&run_lock);
	if (on)
		ret = busy_start();
	else
		busy_stop();
	mutex_unlock(&run_lock);
	return ret;
}

static int param_get_run(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%d\n", READ_ONCE(busy_thread) ? 1 : 0);
}

static const struct kernel_param_ops run_ops = {
	.set = param_set_run,
	.get = param_get_run,
};

module_param_cb(run, &run_ops, NULL, 0644);
MODULE_PARM_DESC(run, "1: spin in a kprobe handler on CPU 0; 0: stop");

static int param_set_spin_us(const char *val, const struct kernel_param *kp)
{
	unsigned int us;

	if (kstrtouint(val, 0, &us) || us < SPIN_US_MIN || us > SPIN_US_MAX) {
		pr_err("spin_us=%s is invalid: expected %u..%u\n", val,
		       SPIN_US_MIN, SPIN_US_MAX);
		return -EINVAL;
	}
	spin_us = us;
	return 0;
}

static const struct kernel_param_ops spin_us_ops = {
	.set = param_set_spin_us,
	.get = param_get_uint,
};

module_param_cb(spin_us, &spin_us_ops, &spin_us, 0444);
MODULE_PARM_DESC(spin_us, "each spin in the handler (100..100000 us, default 10000)");

static int param_get_counter(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%ld\n", atomic_long_read(kp->arg));
}

static const struct kernel_param_ops counter_ops = {
	.get = param_get_counter,
};

module_param_cb(spins, &counter_ops, &spins, 0444);
MODULE_PARM_DESC(spins, "spins done");
module_param_cb(nested, &counter_ops, &nested, 0444);
MODULE_PARM_DESC(nested, "RCU callbacks of this module that ran inside a spin");
module_param_cb(irqs_off, &counter_ops, &irqs_off, 0444);
MODULE_PARM_DESC(irqs_off, "handler runs entered with interrupts off (no window)");

static int __init probebusy_init(void)
{
	int ret;

	busy_probe.addr = (kprobe_opcode_t *)probebusy_target;
	ret = register_kprobe(&busy_probe);
	if (ret)
		pr_err("cannot probe probebusy_target (%d)\n", ret);
	return ret;
}

static void __exit probebusy_exit(void)
{
	mutex_lock(&run_lock);
	busy_going = true;
	busy_stop();
	mutex_unlock(&run_lock);
	unregister_kprobe(&busy_probe);
	/* The callbacks queued by the thread run this module's code. */
	rcu_barrier();
}

module_init(probebusy_init);
module_exit(probebusy_exit);

MODULE_DESCRIPTION("Spin in a kprobe handler with interrupts on, to nest softirqs in it (tests only)");
MODULE_LICENSE("GPL");
