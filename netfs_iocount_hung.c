// SPDX-License-Identifier: GPL-2.0
/*
 * netfs_iocount: reports of waits asleep too long.
 *
 * A wait that must sleep puts an entry on its own stack into a registry for
 * as long as it sleeps.  A delayed work, queued only while the registry is
 * not empty, scans it and reports every wait asleep for hung_warn_secs
 * since it began or was last reported: the waiting task, the owner of the
 * counter (superblock and inode for eviction), how long it has waited, the
 * count and, with tracking on, the oldest outstanding requests.
 *
 * The waiter itself never wakes for this: a periodic wake-up would reset
 * khungtaskd's view of the task (it reports a task whose context-switch
 * count has not moved for hung_task_timeout_secs), hiding it from
 * hung_task_panic and from every tool built on "blocked for more than N
 * seconds", and would turn a lost wake-up into a silent delay.  A change of
 * hung_warn_secs re-arms the scan, so it applies to waits already asleep.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/jiffies.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/printk.h>
#include <linux/ratelimit.h>
#include <linux/sched.h>
#include <linux/workqueue.h>

#include "netfs_iocount_internal.h"
#include "netfs_iocount_trace.h"

/* Longest hung_warn_secs: a day, far beyond any sane hung-task timeout. */
#define NETFS_IOCOUNT_HUNG_WARN_MAX	(24 * 60 * 60)

static unsigned int hung_warn_secs = 30;

/* Protects hung_waiters and the entries on it; held while reporting. */
static DEFINE_MUTEX(hung_lock);
static LIST_HEAD(hung_waiters);

static void hung_scan(struct work_struct *work);
static DECLARE_DELAYED_WORK(hung_scan_work, hung_scan);

static DEFINE_RATELIMIT_STATE(hung_warn_ratelimit, 5 * HZ, 10);

/* The threshold in jiffies; 0 when reports are off. */
static unsigned long hung_threshold(void)
{
	return (unsigned long)READ_ONCE(hung_warn_secs) * HZ;
}

/*
 * Queue the scan for when the earliest watched wait is due a report, or
 * cancel it when none can be.  Called with hung_lock held.
 */
static void hung_arm(void)
{
	unsigned long thr = hung_threshold(), due = 0, now = jiffies;
	struct netfs_iocount_waiter *w;
	bool any = false;

	lockdep_assert_held(&hung_lock);
	if (!thr || list_empty(&hung_waiters)) {
		cancel_delayed_work(&hung_scan_work);
		return;
	}
	list_for_each_entry(w, &hung_waiters, link) {
		if (!any || time_before(w->last_report + thr, due))
			due = w->last_report + thr;
		any = true;
	}
	mod_delayed_work(netfs_iocount_wq, &hung_scan_work,
			 time_after(due, now) ? due - now : 0);
}

/*
 * Report one wait: a trace event always, the kernel log unless rate-limited.
 * The outstanding requests (tracking on) come after the wait's own line.
 */
static void hung_report(struct netfs_iocount_waiter *w)
{
	unsigned int waited = jiffies_to_msecs(jiffies - w->start) / MSEC_PER_SEC;
	/* The waiter keeps the counter's owner alive while it is watched. */
	int count = netfs_iocount_read(w->ic);
	bool print = __ratelimit(&hung_warn_ratelimit);
	bool tracked;

	netfs_iocount_stats_hung();
	trace_netfs_iocount_hung(w->ic, count, waited);
	if (print && w->inode)
		pr_warn("task %s:%d has waited %us for %d outstanding I/O request(s) on inode %llu of %s (counter %p)\n",
			w->task->comm, task_pid_nr(w->task), waited, count,
			(u64)w->inode->i_ino, w->inode->i_sb->s_id, w->ic);
	else if (print)
		pr_warn("task %s:%d has waited %us for %d outstanding I/O request(s) on counter %p\n",
			w->task->comm, task_pid_nr(w->task), waited, count,
			w->ic);
	/* Each store of records reports what it has, or that it is off. */
	tracked = netfs_iocount_track_report(w->ic, print);
	if (netfs_iocount_requests_report(&w->ic->count, print))
		tracked = true;
	if (print && !tracked)
		pr_warn("  to see who began them: echo 1 > /sys/module/netfs_iocount/parameters/track (track_netfs on 6.10+)\n");
}

/* Report every watched wait that is due, then re-arm for the next one. */
static void hung_scan(struct work_struct *work)
{
	unsigned long thr, now = jiffies;
	struct netfs_iocount_waiter *w;

	mutex_lock(&hung_lock);
	thr = hung_threshold();
	list_for_each_entry(w, &hung_waiters, link) {
		if (!thr || time_before(now, w->last_report + thr))
			continue;
		hung_report(w);
		w->last_report = now;
	}
	hung_arm();
	mutex_unlock(&hung_lock);
}

/**
 * netfs_iocount_hung_watch - watch a wait that is about to sleep
 * @w: the entry, on the waiter's stack
 * @ic: the counter waited on
 * @inode: the inode that embeds @ic, or NULL
 *
 * Context: process context, before the sleep; may sleep.
 */
void netfs_iocount_hung_watch(struct netfs_iocount_waiter *w,
			      struct netfs_iocount *ic,
			      const struct inode *inode)
{
	w->task = current;
	w->ic = ic;
	w->inode = inode;
	w->start = jiffies;
	w->last_report = w->start;
	mutex_lock(&hung_lock);
	list_add_tail(&w->link, &hung_waiters);
	hung_arm();
	mutex_unlock(&hung_lock);
}

/**
 * netfs_iocount_hung_unwatch - stop watching a wait that has returned
 * @w: the entry passed to netfs_iocount_hung_watch()
 *
 * Context: process context; may sleep.
 */
void netfs_iocount_hung_unwatch(struct netfs_iocount_waiter *w)
{
	mutex_lock(&hung_lock);
	list_del(&w->link);
	if (list_empty(&hung_waiters))
		cancel_delayed_work(&hung_scan_work);
	mutex_unlock(&hung_lock);
}

/* Module exit: no wait can be asleep in a module being unloaded. */
void netfs_iocount_hung_exit(void)
{
	cancel_delayed_work_sync(&hung_scan_work);
}

/**
 * netfs_iocount_set_hung_warn_secs - set the hung-wait report threshold
 * @secs: report a wait once it has slept this long, and again every as
 *	long; 0 never reports
 *
 * Also the module parameter "hung_warn_secs".  Applies at once to waits
 * already asleep.
 *
 * Context: process context; may sleep.
 * Return: 0, or -EINVAL if @secs is above a day.
 */
int netfs_iocount_set_hung_warn_secs(unsigned int secs)
{
	if (secs > NETFS_IOCOUNT_HUNG_WARN_MAX)
		return -EINVAL;
	mutex_lock(&hung_lock);
	WRITE_ONCE(hung_warn_secs, secs);
	hung_arm();
	mutex_unlock(&hung_lock);
	return 0;
}
EXPORT_SYMBOL_GPL(netfs_iocount_set_hung_warn_secs);

static int param_set_hung_warn_secs(const char *val,
				    const struct kernel_param *kp)
{
	unsigned int secs;

	if (kstrtouint(val, 0, &secs) ||
	    netfs_iocount_set_hung_warn_secs(secs)) {
		pr_err("hung_warn_secs=%s is invalid: expected 0 (off) to %u\n",
		       val, NETFS_IOCOUNT_HUNG_WARN_MAX);
		return -EINVAL;
	}
	return 0;
}

static const struct kernel_param_ops hung_warn_secs_ops = {
	.set = param_set_hung_warn_secs,
	.get = param_get_uint,
};

module_param_cb(hung_warn_secs, &hung_warn_secs_ops, &hung_warn_secs, 0644);
MODULE_PARM_DESC(hung_warn_secs,
		 "report a wait asleep this long, then every as long again (0: never; default 30)");
