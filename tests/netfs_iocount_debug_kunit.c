// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for the diagnostics of netfs_iocount: the hung-wait warning,
 * tracking of outstanding requests, statistics and trace events.
 *
 * The hung warning's text goes to the console, where `make check` reads
 * it: the case that provokes it names the inode, the count and the leaking
 * function that the console must show.
 */

#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/fs.h>
#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "../netfs_iocount.h"
#include "../netfs_iocount_trace.h"

#define RETURN_BOUND_MS		5000
#define HUNG_BOUND_MS		10000	/* ten 1-second thresholds */
#define TOGGLE_WORKERS		4
#define TOGGLE_COUNTERS		4
#define TOGGLE_PAIRS		20000

/* What the console must show for the hung wait provoked below. */
#define HUNG_SB_ID		"iocount-test"
#define HUNG_INO		4242

/* A waiter on an inode's counter, in a kthread of its own. */
struct inode_waiter {
	struct netfs_iocount *ic;
	struct inode *inode;
	struct completion done;
};

static int inode_waiter_main(void *data)
{
	struct inode_waiter *w = data;

	netfs_iocount_wait_inode(w->ic, w->inode);
	kthread_complete_and_exit(&w->done, 0);
}

/* Kept out of line so that tracking names them as the callers. */
static noinline void leaky_begin(struct netfs_iocount *ic)
{
	netfs_iocount_begin(ic);
}

static noinline void balanced_begin(struct netfs_iocount *ic)
{
	netfs_iocount_begin(ic);
}

static void debug_exit(struct kunit *test)
{
	netfs_iocount_set_tracking(false);
	netfs_iocount_set_stats(false);
	netfs_iocount_set_hung_warn_secs(30);
}

/*
 * A leaked begin keeps an eviction-style wait asleep: past the threshold it
 * is warned about (and keeps waiting), tracking holds exactly the leaked
 * request, and ending the leak lets the wait return.
 */
static void debug_hung_wait_is_reported(struct kunit *test)
{
	struct netfs_iocount_stats before, after, drained;
	struct super_block *sb;
	struct inode_waiter *w;
	struct inode *inode;
	struct task_struct *task;
	unsigned long deadline;
	bool returned_early;

	sb = kunit_kzalloc(test, sizeof(*sb), GFP_KERNEL);
	inode = kunit_kzalloc(test, sizeof(*inode), GFP_KERNEL);
	w = kzalloc(sizeof(*w), GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, sb && inode && w);
	strscpy(sb->s_id, HUNG_SB_ID, sizeof(sb->s_id));
	inode->i_sb = sb;
	inode->i_ino = HUNG_INO;
	w->ic = kzalloc(sizeof(*w->ic), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, w->ic);
	netfs_iocount_init(w->ic);
	w->inode = inode;
	init_completion(&w->done);

	KUNIT_ASSERT_EQ(test, netfs_iocount_set_hung_warn_secs(1), 0);
	netfs_iocount_set_tracking(true);
	netfs_iocount_stats_read(&before);

	leaky_begin(w->ic);
	balanced_begin(w->ic);
	netfs_iocount_end(w->ic);

	task = kthread_run(inode_waiter_main, w, "iocount-hung");
	if (IS_ERR(task)) {
		netfs_iocount_end(w->ic);
		KUNIT_FAIL(test, "kthread_run failed");
		return;
	}
	/*
	 * Two warnings, one per threshold, while the wait goes on; the bound
	 * only keeps a silent wait from stalling the suite.
	 */
	deadline = jiffies + msecs_to_jiffies(HUNG_BOUND_MS);
	do {
		msleep(100);
		netfs_iocount_stats_read(&after);
	} while (after.hung_warnings - before.hung_warnings < 2 &&
		 time_before(jiffies, deadline));
	returned_early = completion_done(&w->done);

	netfs_iocount_end(w->ic);
	if (!wait_for_completion_timeout(&w->done,
					 msecs_to_jiffies(RETURN_BOUND_MS))) {
		/* Leave @w to the waiter rather than free it under it. */
		KUNIT_FAIL(test, "ending the leak did not end the wait");
		return;
	}
	netfs_iocount_stats_read(&drained);
	kfree(w->ic);
	kfree(w);

	KUNIT_ASSERT_FALSE_MSG(test, returned_early,
			       "the wait returned with I/O outstanding");
	KUNIT_ASSERT_GE_MSG(test, after.hung_warnings - before.hung_warnings, 2,
			    "fewer than two hung warnings in 10 thresholds");
	KUNIT_ASSERT_EQ_MSG(test, after.tracked, 1,
			    "tracking must hold the leaked request only");
	KUNIT_ASSERT_EQ(test, drained.tracked, 0);
}

/* Tracking switched on and off while kthreads begin and end requests. */
struct toggle_ctx {
	struct netfs_iocount ic[TOGGLE_COUNTERS];
	struct completion done[TOGGLE_WORKERS];
	atomic_t next;
};

static int toggle_worker(void *data)
{
	struct toggle_ctx *ctx = data;
	int me = atomic_inc_return(&ctx->next) - 1;
	struct netfs_iocount *ic = &ctx->ic[me % TOGGLE_COUNTERS];
	int i;

	for (i = 0; i < TOGGLE_PAIRS; i++) {
		netfs_iocount_begin(ic);
		netfs_iocount_begin(ic);
		if (!(i & 255))
			usleep_range(100, 200);
		netfs_iocount_end(ic);
		netfs_iocount_end(ic);
	}
	kthread_complete_and_exit(&ctx->done[me], 0);
}

static void debug_tracking_toggled_under_load(struct kunit *test)
{
	struct netfs_iocount_stats st;
	struct toggle_ctx *ctx;
	int i, toggles = 0;
	bool running, drained = true;

	ctx = kzalloc(sizeof(*ctx), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctx);
	for (i = 0; i < TOGGLE_COUNTERS; i++)
		netfs_iocount_init(&ctx->ic[i]);
	for (i = 0; i < TOGGLE_WORKERS; i++)
		init_completion(&ctx->done[i]);
	for (i = 0; i < TOGGLE_WORKERS; i++) {
		struct task_struct *t = kthread_run(toggle_worker, ctx,
						    "iocount-toggle/%d", i);

		if (IS_ERR(t)) {
			/* Workers already running use @ctx: leak it. */
			KUNIT_FAIL(test, "kthread_run failed");
			return;
		}
	}

	do {
		netfs_iocount_set_tracking(!(toggles++ & 1));
		usleep_range(500, 1000);
		running = false;
		for (i = 0; i < TOGGLE_WORKERS; i++)
			running |= !completion_done(&ctx->done[i]);
	} while (running);

	for (i = 0; i < TOGGLE_COUNTERS; i++)
		drained &= !netfs_iocount_read(&ctx->ic[i]);
	kfree(ctx);
	KUNIT_ASSERT_TRUE_MSG(test, drained, "a count did not return to zero");
	netfs_iocount_set_tracking(true);
	netfs_iocount_stats_read(&st);
	kunit_info(test, "%d toggles\n", toggles);
	KUNIT_ASSERT_EQ_MSG(test, st.tracked, 0,
			    "records left behind with every count at zero");
	netfs_iocount_set_tracking(false);
	netfs_iocount_stats_read(&st);
	KUNIT_ASSERT_EQ(test, st.tracked, 0);
}

/* Trace event probes, counting the events of one counter. */
struct event_log {
	const void *ic;
	int begins, ends, underflows, wait_starts, wait_ends;
	int begin_counts[8], end_counts[8];
};

static void probe_begin(void *data, const void *ic, int count,
			unsigned long caller)
{
	struct event_log *log = data;

	if (ic != log->ic)
		return;
	if (log->begins < ARRAY_SIZE(log->begin_counts))
		log->begin_counts[log->begins] = count;
	log->begins++;
}

static void probe_end(void *data, const void *ic, int count,
		      unsigned long caller)
{
	struct event_log *log = data;

	if (ic != log->ic)
		return;
	if (log->ends < ARRAY_SIZE(log->end_counts))
		log->end_counts[log->ends] = count;
	log->ends++;
}

static void probe_underflow(void *data, const void *ic, int count,
			    unsigned long caller)
{
	struct event_log *log = data;

	if (ic == log->ic)
		log->underflows++;
}

static void probe_wait_start(void *data, const void *ic, int count)
{
	struct event_log *log = data;

	if (ic == log->ic)
		log->wait_starts++;
}

static void probe_wait_end(void *data, const void *ic, u64 slept_ns, long ret)
{
	struct event_log *log = data;

	if (ic == log->ic)
		log->wait_ends++;
}

struct ender {
	struct netfs_iocount *ic;
	struct completion done;
};

static int ender_main(void *data)
{
	struct ender *e = data;

	msleep(100);
	netfs_iocount_end(e->ic);
	kthread_complete_and_exit(&e->done, 0);
}

/*
 * A known sequence of operations gives exactly the expected events and
 * statistics.
 */
static void debug_stats_and_events_match(struct kunit *test)
{
	static const int begin_counts[] = { 1, 2, 3, 1 };
	static const int end_counts[] = { 2, 1, 0, 0, -1 };
	struct netfs_iocount_stats before, after;
	struct event_log *log;
	struct netfs_iocount *ic;
	struct ender *e;
	int i;

	ic = kunit_kzalloc(test, sizeof(*ic), GFP_KERNEL);
	log = kunit_kzalloc(test, sizeof(*log), GFP_KERNEL);
	e = kunit_kzalloc(test, sizeof(*e), GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, ic && log && e);
	netfs_iocount_init(ic);
	log->ic = ic;
	e->ic = ic;
	init_completion(&e->done);

	KUNIT_ASSERT_EQ(test, register_trace_netfs_iocount_begin(probe_begin, log), 0);
	KUNIT_ASSERT_EQ(test, register_trace_netfs_iocount_end(probe_end, log), 0);
	KUNIT_ASSERT_EQ(test, register_trace_netfs_iocount_underflow(probe_underflow, log), 0);
	KUNIT_ASSERT_EQ(test, register_trace_netfs_iocount_wait_start(probe_wait_start, log), 0);
	KUNIT_ASSERT_EQ(test, register_trace_netfs_iocount_wait_end(probe_wait_end, log), 0);
	netfs_iocount_set_stats(true);
	netfs_iocount_stats_read(&before);

	for (i = 0; i < 3; i++)
		netfs_iocount_begin(ic);
	for (i = 0; i < 3; i++)
		netfs_iocount_end(ic);
	netfs_iocount_wait(ic);			/* idle: no sleep, no events */
	netfs_iocount_begin(ic);
	if (IS_ERR(kthread_run(ender_main, e, "iocount-end")))
		netfs_iocount_end(ic);		/* and the counts below fail */
	else
		netfs_iocount_wait(ic);		/* sleeps until the ender ends */
	wait_for_completion(&e->done);
	netfs_iocount_end(ic);			/* underflow */

	netfs_iocount_stats_read(&after);
	netfs_iocount_set_stats(false);
	unregister_trace_netfs_iocount_begin(probe_begin, log);
	unregister_trace_netfs_iocount_end(probe_end, log);
	unregister_trace_netfs_iocount_underflow(probe_underflow, log);
	unregister_trace_netfs_iocount_wait_start(probe_wait_start, log);
	unregister_trace_netfs_iocount_wait_end(probe_wait_end, log);
	tracepoint_synchronize_unregister();

	KUNIT_ASSERT_EQ(test, after.begins - before.begins, 4);
	KUNIT_ASSERT_EQ(test, after.ends - before.ends, 5);
	KUNIT_ASSERT_EQ(test, after.waits - before.waits, 2);
	KUNIT_ASSERT_EQ(test, after.waits_slept - before.waits_slept, 1);
	KUNIT_ASSERT_EQ(test, after.underflows - before.underflows, 1);
	KUNIT_ASSERT_GT(test, after.slept_ns - before.slept_ns, 0);
	KUNIT_ASSERT_EQ(test, log->begins, 4);
	KUNIT_ASSERT_EQ(test, log->ends, 5);
	KUNIT_ASSERT_EQ(test, log->underflows, 1);
	KUNIT_ASSERT_EQ(test, log->wait_starts, 1);
	KUNIT_ASSERT_EQ(test, log->wait_ends, 1);
	for (i = 0; i < ARRAY_SIZE(begin_counts); i++)
		KUNIT_ASSERT_EQ(test, log->begin_counts[i], begin_counts[i]);
	for (i = 0; i < ARRAY_SIZE(end_counts); i++)
		KUNIT_ASSERT_EQ(test, log->end_counts[i], end_counts[i]);
}

/* Bad values are refused and change nothing. */
static void debug_bad_threshold_refused(struct kunit *test)
{
	KUNIT_ASSERT_EQ(test, netfs_iocount_set_hung_warn_secs(7), 0);
	KUNIT_EXPECT_EQ(test, netfs_iocount_set_hung_warn_secs(UINT_MAX),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, netfs_iocount_set_hung_warn_secs(24 * 3600 + 1),
			-EINVAL);
}

static struct kunit_case debug_cases[] = {
	KUNIT_CASE(debug_hung_wait_is_reported),
	KUNIT_CASE(debug_tracking_toggled_under_load),
	KUNIT_CASE(debug_stats_and_events_match),
	KUNIT_CASE(debug_bad_threshold_refused),
	{}
};

static struct kunit_suite debug_suite = {
	.name = "netfs_iocount_debug",
	.exit = debug_exit,
	.test_cases = debug_cases,
};

kunit_test_suite(debug_suite);

MODULE_DESCRIPTION("KUnit tests for the diagnostics of netfs_iocount");
MODULE_LICENSE("GPL");
