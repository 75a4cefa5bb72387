// SPDX-License-Identifier: GPL-2.0
/*
 * netfs_iocount: the watchdog over netfs's own requests, and their listing.
 *
 * While netfs requests are tracked (track_netfs=1), a delayed work looks at
 * the records once a second and reports, once per request and rate-limited,
 * every request outstanding for watchdog_secs, and every request whose
 * inode a task has waited on for watchdog_wait_secs (eviction, or a cifs
 * syscall, waiting for io_count to drain).  A report names the request as
 * netfs's own trace events do (R=debug_id), its origin, the inode and
 * superblock, its age, whether netfs has begun to free it, who waits, and
 * the task and stack that allocated it.
 *
 * The rate limit defers reports and loses none: a record is marked
 * reported only once printed, so what the limit held back is printed at a
 * later scan.  Every scan that reports, and every hung wait's report, ends
 * with what the probes missed since they were attached: without it, a
 * missing record or a stale one could not be told from a real one.
 *
 * Safe by construction: neither the watchdog nor the listing dereferences a
 * request, an inode or a superblock.  They print what
 * netfs_iocount_rreq.c copied at allocation, when the inode could not be
 * freed (eviction waits for the io_count the request had just raised).
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/jiffies.h>
#include <linux/kernel.h>
#include <linux/moduleparam.h>
#include <linux/printk.h>
#include <linux/ratelimit.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/workqueue.h>

#include "netfs_iocount_internal.h"

/* Longest threshold: a day, as for hung_warn_secs. */
#define WATCHDOG_SECS_MAX	(24 * 60 * 60)
/* Reports per scan; the rest wait for the next scan. */
#define WATCHDOG_BATCH		8
/* Records a hung wait's report lists. */
#define RREQ_REPORT_MAX		3

static unsigned int watchdog_secs = 300;
static unsigned int watchdog_wait_secs = 10;

static void watchdog_scan(struct work_struct *work);
static DECLARE_DELAYED_WORK(watchdog_work, watchdog_scan);
static bool watchdog_on;	/* serialised by the callers of start and stop */

/* No "callbacks suppressed": what the limit holds back comes later. */
static struct ratelimit_state watchdog_ratelimit =
	RATELIMIT_STATE_INIT_FLAGS(watchdog_ratelimit, 5 * HZ, 10,
				   RATELIMIT_MSG_ON_RELEASE);

/* The records of one scan; only the (single) watchdog work uses it. */
static struct netfs_iocount_rreq watchdog_batch[WATCHDOG_BATCH];

/* Seconds since @then, for a report. */
static unsigned int secs_since(unsigned long now, unsigned long then)
{
	return jiffies_to_msecs(now - then) / MSEC_PER_SEC;
}

/*
 * One line on @r, without its stack: what a report and the listing both
 * start with.
 */
static void rreq_describe(const struct netfs_iocount_rreq *r, char *buf,
			  size_t len, unsigned long now)
{
	int n;

	n = scnprintf(buf, len,
		      "netfs request R=%08x %s on inode %llu of %s (%s, sb %p): outstanding %us",
		      r->debug_id, r->origin, r->ino, r->s_id, r->fstype,
		      r->sb, secs_since(now, r->start));
	if (r->freeing)
		n += scnprintf(buf + n, len - n,
			       ", freeing for %us (->free_request or the cache has not returned)",
			       secs_since(now, r->freeing_at));
	if (r->drained)
		n += scnprintf(buf + n, len - n,
			       ", its inode's count drained (RCU free pending)");
	if (r->waited)
		n += scnprintf(buf + n, len - n,
			       ", waited on for %us by %s:%d",
			       secs_since(now, r->waited_at), r->waiter,
			       r->waiter_pid);
	scnprintf(buf + n, len - n, "; allocated by %s:%d from %pS",
		  r->comm, r->pid, (void *)r->caller);
}

/* A record to the kernel log, with the stack that allocated it. */
static void rreq_print(const struct netfs_iocount_rreq *r, const char *why)
{
	unsigned long *entries;
	unsigned int nr, i;
	char line[448];

	rreq_describe(r, line, sizeof(line), jiffies);
	pr_warn("%s%s\n", why, line);
	nr = netfs_iocount_stack_fetch(r->stack, &entries);
	for (i = 0; i < nr; i++)
		pr_warn("    %pS\n", (void *)entries[i]);
}

/*
 * What the probes missed since attached, after every report and atop the
 * listing: a missed allocation leaves a request unnamed, a missed free
 * leaves a record that outlived its request (replaced when its address is
 * allocated again), a missed drain leaves a finished request looking
 * stalled, a missed wait leaves a waiter unnamed.
 */
static void rreq_describe_misses(char *buf, size_t len)
{
	struct netfs_iocount_netfs_misses m;

	netfs_iocount_netfs_misses(&m);
	scnprintf(buf, len,
		  "track_netfs probes missed: netfs_alloc_request %lu (and %lu for want of its %d instances), netfs_free_request_rcu %lu, wake_up_var %lu, __var_waitqueue %lu; %lu allocation(s) not recorded, %lu record(s) replaced at a reused address",
		  m.alloc, m.alloc_no_instance, m.maxactive, m.freed,
		  m.drained, m.waited, netfs_iocount_rreq_unrecorded(),
		  netfs_iocount_rreq_replaced());
}

static void rreq_print_misses(void)
{
	char line[320];

	rreq_describe_misses(line, sizeof(line));
	pr_warn("  %s\n", line);
}

static void watchdog_arm(void)
{
	queue_delayed_work(netfs_iocount_wq, &watchdog_work, HZ);
}

static void watchdog_scan(struct work_struct *work)
{
	unsigned long any = (unsigned long)READ_ONCE(watchdog_secs) * HZ;
	unsigned long waited = (unsigned long)READ_ONCE(watchdog_wait_secs) * HZ;
	unsigned int n, i;

	n = netfs_iocount_rreq_due(watchdog_batch, WATCHDOG_BATCH, any, waited);
	for (i = 0; i < n; i++) {
		/* The rest stay due, for the next scan. */
		if (!__ratelimit(&watchdog_ratelimit))
			break;
		rreq_print(&watchdog_batch[i], "stalled ");
		netfs_iocount_rreq_reported(&watchdog_batch[i]);
	}
	if (i)
		rreq_print_misses();
	watchdog_arm();
}

/**
 * netfs_iocount_watchdog_start - start watching netfs's requests
 *
 * Context: process context; the caller serialises start and stop.
 */
void netfs_iocount_watchdog_start(void)
{
	watchdog_on = true;
	watchdog_arm();
}

/**
 * netfs_iocount_watchdog_stop - stop watching netfs's requests
 *
 * Context: process context; the caller serialises start and stop.
 */
void netfs_iocount_watchdog_stop(void)
{
	if (!watchdog_on)
		return;
	watchdog_on = false;
	/* Also stops a scan that re-arms itself meanwhile. */
	cancel_delayed_work_sync(&watchdog_work);
}

/**
 * netfs_iocount_requests_report - list the netfs requests a hung wait waits for
 * @counter: the io_count the wait sleeps on
 * @print: to the kernel log (else nothing: the records have no trace event)
 *
 * Nothing while netfs's requests are not tracked.
 *
 * Context: process context.
 * Return: whether they are tracked, so whether anything was reported.
 */
bool netfs_iocount_requests_report(const void *counter, bool print)
{
	struct netfs_iocount_rreq recs[RREQ_REPORT_MAX];
	unsigned int n, i;

	if (!netfs_iocount_netfs_tracking())
		return false;
	if (!print)
		return true;
	n = netfs_iocount_rreq_snapshot(counter, recs, ARRAY_SIZE(recs));
	for (i = 0; i < min_t(unsigned int, n, ARRAY_SIZE(recs)); i++)
		rreq_print(&recs[i], "  ");
	if (n)
		pr_warn("  %u netfs request(s) recorded on this inode\n", n);
	rreq_print_misses();
	return true;
}

/* ---- debugfs: netfs_iocount/requests, grouped by superblock and inode ---- */

static int rreq_cmp(const void *a, const void *b)
{
	const struct netfs_iocount_rreq *x = a, *y = b;

	if (x->sb != y->sb)
		return x->sb < y->sb ? -1 : 1;
	if (x->ino != y->ino)
		return x->ino < y->ino ? -1 : 1;
	if (x->start != y->start)
		return time_before(x->start, y->start) ? -1 : 1;
	return 0;
}

static void requests_show_one(struct seq_file *m,
			      const struct netfs_iocount_rreq *r,
			      unsigned long now)
{
	unsigned long *entries;
	unsigned int nr, i;
	char line[448];

	rreq_describe(r, line, sizeof(line), now);
	seq_printf(m, "    %s\n", line);
	nr = netfs_iocount_stack_fetch(r->stack, &entries);
	for (i = 0; i < nr; i++)
		seq_printf(m, "        %pS\n", (void *)entries[i]);
}

/**
 * netfs_iocount_requests_show - list netfs's requests, by superblock and inode
 * @m: the seq_file of debugfs's netfs_iocount/requests
 *
 * Return: 0, or -ENOMEM.
 */
int netfs_iocount_requests_show(struct seq_file *m)
{
	struct netfs_iocount_rreq *recs, *prev = NULL;
	unsigned long now = jiffies;
	unsigned int n, i;
	char line[320];

	if (!netfs_iocount_netfs_tracking()) {
		seq_puts(m, "netfs requests are not tracked: echo 1 > /sys/module/netfs_iocount/parameters/track_netfs\n");
		return 0;
	}
	n = netfs_iocount_rreq_snapshot(NULL, NULL, 0);
	recs = kmalloc_array(max(n, 1U), sizeof(*recs), GFP_KERNEL);
	if (!recs)
		return -ENOMEM;
	/* Records that arrived since the count are left for the next read. */
	n = min(n, netfs_iocount_rreq_snapshot(NULL, recs, n));
	sort(recs, n, sizeof(*recs), rreq_cmp, NULL);
	seq_printf(m, "%u outstanding netfs request(s), %lu allocation(s) not recorded\n",
		   n, netfs_iocount_rreq_unrecorded() +
		   netfs_iocount_netfs_missed());
	rreq_describe_misses(line, sizeof(line));
	seq_printf(m, "%s\n", line);
	for (i = 0; i < n; prev = &recs[i++]) {
		if (!prev || prev->sb != recs[i].sb)
			seq_printf(m, "superblock %s (%s, sb %p)\n", recs[i].s_id,
				   recs[i].fstype, recs[i].sb);
		if (!prev || prev->sb != recs[i].sb || prev->ino != recs[i].ino)
			seq_printf(m, "  inode %llu\n", recs[i].ino);
		requests_show_one(m, &recs[i], now);
	}
	kfree(recs);
	return 0;
}

/* ---- thresholds ---- */

static int param_set_watchdog_secs(const char *val,
				   const struct kernel_param *kp)
{
	unsigned int secs;

	if (kstrtouint(val, 0, &secs) || !secs || secs > WATCHDOG_SECS_MAX) {
		pr_err("%s=%s is invalid: expected 1..%u seconds\n", kp->name,
		       val, WATCHDOG_SECS_MAX);
		return -EINVAL;
	}
	WRITE_ONCE(*(unsigned int *)kp->arg, secs);
	return 0;
}

static const struct kernel_param_ops watchdog_secs_ops = {
	.set = param_set_watchdog_secs,
	.get = param_get_uint,
};

module_param_cb(watchdog_secs, &watchdog_secs_ops, &watchdog_secs, 0644);
MODULE_PARM_DESC(watchdog_secs,
		 "report a tracked netfs request outstanding this long (1..86400, default 300)");
module_param_cb(watchdog_wait_secs, &watchdog_secs_ops, &watchdog_wait_secs,
		0644);
MODULE_PARM_DESC(watchdog_wait_secs,
		 "report a tracked netfs request whose inode has been waited on this long (1..86400, default 10)");
