// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for the diagnostics of netfs_iocount: the hung-wait warning,
 * tracking of outstanding requests, statistics and trace events.
 *
 * The hung report's text goes to the console, where `make check` reads
 * it: the case that provokes it names the inode, the count and the leaking
 * function that the console must show.  khungtaskd watches the suite with
 * a 2-second timeout (tests/guest/kunit.sh): the test thread polls rather
 * than sleeps for long, so that only the hung wait is reported.
 */

#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/fs.h>
#include <linux/jiffies.h>
#include <linux/kallsyms.h>
#include <linux/kthread.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "../netfs_iocount.h"
#include "netfs_iocount_kunit_filter.h"
#include "netfs_iocount_test_compat.h"
#include "../netfs_iocount_trace.h"

#define RETURN_BOUND_MS		5000
#define HUNG_REPORTS		4	/* at 1 s each: khungtaskd at 2 s sees it */
#define HUNG_BOUND_MS		15000
#define TOGGLE_WORKERS		4
#define TOGGLE_COUNTERS		2	/* so that workers share counters */
#define TOGGLE_PAIRS		20000
#define CONCURRENT_WORKERS	4
#define CONCURRENT_PAIRS	5000

/*
 * What the console must show for the hung wait provoked below; the
 * concurrent case's waiter has an inode of its own, so that nothing it
 * reports can stand for the hung case's report.
 */
#define HUNG_SB_ID		"iocount-test"
#define HUNG_INO		4242
#define CONCURRENT_INO		4243

/*
 * A waiter on an inode's counter, in a kthread of its own.  Everything it
 * uses lives here, outside the test's managed memory: a waiter that never
 * returns (a broken build) keeps it, leaked rather than freed under it.
 */
struct inode_waiter {
	struct netfs_iocount *ic;
	struct netfs_iocount own_ic;	/* @ic, unless another is given */
	struct super_block sb;
	struct inode inode;
	struct completion asleep;	/* the wait is about to sleep */
	struct completion done;
};

static int inode_waiter_main(void *data)
{
	struct inode_waiter *w = data;

	netfs_iocount_wait_inode(w->ic, &w->inode);
	kthread_complete_and_exit(&w->done, 0);
}

static void probe_waiter_asleep(void *data, const void *ic, int count)
{
	struct inode_waiter *w = data;

	if (ic == w->ic)
		complete(&w->asleep);
}

/*
 * A waiter for @ic (its own counter if NULL), owned by inode @ino of
 * HUNG_SB_ID; not started.  Freed by the caller once the waiter returned.
 */
static struct inode_waiter *inode_waiter_new(struct kunit *test,
					     struct netfs_iocount *ic,
					     unsigned long ino)
{
	struct inode_waiter *w = kzalloc(sizeof(*w), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, w);
	strscpy(w->sb.s_id, HUNG_SB_ID, sizeof(w->sb.s_id));
	w->inode.i_sb = &w->sb;
	w->inode.i_ino = ino;
	w->ic = ic;
	if (!ic) {
		w->ic = &w->own_ic;
		netfs_iocount_init(w->ic);
	}
	init_completion(&w->asleep);
	init_completion(&w->done);
	return w;
}

/*
 * Kept out of line, and naming themselves, so that tracking names them as
 * the callers; the request variants key the record by @req, as the netfs
 * glue does with its rreq.
 */
static unsigned int leaks_begun;

/* Not the same code as balanced_begin(), which the compiler would merge. */
static noinline void leaky_begin(struct netfs_iocount *ic, const void *req)
{
	WRITE_ONCE(leaks_begun, leaks_begun + 1);
	__netfs_iocount_begin(ic, req, _THIS_IP_);
}

static noinline void balanced_begin(struct netfs_iocount *ic, const void *req)
{
	__netfs_iocount_begin(ic, req, _THIS_IP_);
}

static noinline void request_end(struct netfs_iocount *ic, const void *req)
{
	__netfs_iocount_end(ic, req, _THIS_IP_);
}

/* What the hung reports of one counter said, from their trace events. */
#define REPORT_MAX_REQUESTS	4
struct report_log {
	const void *ic;
	atomic_t reports;
	/* The outstanding requests the first report listed. */
	int requests;
	char callers[REPORT_MAX_REQUESTS][KSYM_SYMBOL_LEN];
};

static void probe_hung(void *data, const void *ic, int count,
		       unsigned int waited_secs)
{
	struct report_log *log = data;

	if (ic == log->ic)
		atomic_inc(&log->reports);
}

static void probe_hung_request(void *data, const void *ic, const void *req,
			       unsigned long caller, unsigned int age_ms)
{
	struct report_log *log = data;

	if (ic != log->ic || atomic_read(&log->reports) != 1)
		return;
	if (log->requests < REPORT_MAX_REQUESTS)
		snprintf(log->callers[log->requests], KSYM_SYMBOL_LEN, "%ps",
			 (void *)caller);
	log->requests++;
}

static void report_log_start(struct kunit *test, struct report_log *log,
			     const void *ic)
{
	memset(log, 0, sizeof(*log));
	log->ic = ic;
	KUNIT_ASSERT_EQ(test, register_trace_netfs_iocount_hung(probe_hung, log), 0);
	KUNIT_ASSERT_EQ(test, register_trace_netfs_iocount_hung_request(probe_hung_request,
									log), 0);
}

static void report_log_stop(struct report_log *log)
{
	unregister_trace_netfs_iocount_hung(probe_hung, log);
	unregister_trace_netfs_iocount_hung_request(probe_hung_request, log);
	tracepoint_synchronize_unregister();
}

/*
 * Poll (khungtaskd is watching for tasks blocked 2 seconds while this suite
 * runs) until @log has @n reports, for at most HUNG_BOUND_MS.  Returns
 * whether it has them.
 */
static bool report_log_wait(struct report_log *log, int n)
{
	unsigned long deadline = jiffies + msecs_to_jiffies(HUNG_BOUND_MS);

	while (atomic_read(&log->reports) < n) {
		if (!time_before(jiffies, deadline))
			return false;
		msleep(100);
	}
	return true;
}

/*
 * While the leak was held, tracking held it alone (@held) and the hung
 * report (@log) named it alone; once it ended, nothing was left (@drained).
 */
static void assert_only_leak_tracked(struct kunit *test,
				     const struct netfs_iocount_stats *held,
				     const struct report_log *log,
				     const struct netfs_iocount_stats *drained)
{
	KUNIT_ASSERT_EQ_MSG(test, held->tracked, 1,
			    "tracking must hold the leaked request only");
	KUNIT_ASSERT_EQ_MSG(test, log->requests, 1,
			    "the hung report must list the leaked request only");
	KUNIT_ASSERT_TRUE_MSG(test, str_has_prefix(log->callers[0], "leaky_begin "),
			      "tracking does not name the leaked request: %s",
			      log->callers[0]);
	KUNIT_ASSERT_EQ(test, drained->tracked, 0);
}

static int debug_init(struct kunit *test)
{
	netfs_iocount_kunit_filter_case(test);
	return 0;
}

static void debug_exit(struct kunit *test)
{
	netfs_iocount_set_tracking(false);
	netfs_iocount_set_stats(false);
	netfs_iocount_set_hung_warn_secs(30);
}

/* The context switches of @t: khungtaskd reports a task whose count stays. */
static unsigned long task_switches(struct task_struct *t)
{
	return READ_ONCE(t->nvcsw) + READ_ONCE(t->nivcsw);
}

/*
 * A leaked request keeps an eviction-style wait asleep.  Reports are off
 * when it falls asleep; turning them on reaches the wait already asleep,
 * which is then reported once a second, and meanwhile stays in its one
 * sleep (so that khungtaskd reports it too).  Tracking, with requests that
 * complete out of order, names exactly the leaked request.  Ending the
 * leak lets the wait return.
 */
static void debug_hung_wait_is_reported(struct kunit *test)
{
	struct netfs_iocount_stats after, drained;
	struct report_log *log;
	int req_done, req_leaked;
	struct inode_waiter *w;
	struct task_struct *task;
	unsigned long deadline, switches;
	bool reported, returned_early, woke;

	log = kunit_kzalloc(test, sizeof(*log), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, log);
	w = inode_waiter_new(test, NULL, HUNG_INO);

	KUNIT_ASSERT_EQ(test, netfs_iocount_set_hung_warn_secs(0), 0);
	netfs_iocount_set_tracking(true);
	KUNIT_ASSERT_EQ(test, register_trace_netfs_iocount_wait_start(probe_waiter_asleep, w), 0);
	report_log_start(test, log, w->ic);

	/* Out of order: the request that completes is not the newest. */
	balanced_begin(w->ic, &req_done);
	leaky_begin(w->ic, &req_leaked);
	request_end(w->ic, &req_done);

	task = kthread_run(inode_waiter_main, w, "iocount-hung");
	if (IS_ERR(task)) {
		request_end(w->ic, &req_leaked);
		KUNIT_FAIL(test, "kthread_run failed");
		return;
	}
	get_task_struct(task);
	/* It reported its sleep; now wait for it to be asleep. */
	deadline = jiffies + msecs_to_jiffies(RETURN_BOUND_MS);
	wait_for_completion_timeout(&w->asleep, msecs_to_jiffies(RETURN_BOUND_MS));
	while (netfs_iocount_task_state(task) != TASK_UNINTERRUPTIBLE &&
	       time_before(jiffies, deadline))
		usleep_range(500, 1000);

	KUNIT_ASSERT_EQ(test, netfs_iocount_set_hung_warn_secs(1), 0);
	/*
	 * The state says TASK_UNINTERRUPTIBLE before the task has switched
	 * out; a second later, at the first report, it has long done so.
	 * Without a first report there is nothing more to wait for.
	 */
	reported = report_log_wait(log, 1);
	switches = task_switches(task);
	if (reported)
		report_log_wait(log, HUNG_REPORTS);
	netfs_iocount_stats_read(&after);
	returned_early = completion_done(&w->done);
	woke = task_switches(task) != switches;

	request_end(w->ic, &req_leaked);
	report_log_stop(log);
	unregister_trace_netfs_iocount_wait_start(probe_waiter_asleep, w);
	tracepoint_synchronize_unregister();
	put_task_struct(task);
	if (!wait_for_completion_timeout(&w->done,
					 msecs_to_jiffies(RETURN_BOUND_MS))) {
		/* Leave @w to the waiter rather than free it under it. */
		KUNIT_FAIL(test, "ending the leak did not end the wait");
		return;
	}
	netfs_iocount_stats_read(&drained);
	kfree(w);

	KUNIT_ASSERT_FALSE_MSG(test, returned_early,
			       "the wait returned with I/O outstanding");
	KUNIT_ASSERT_GE_MSG(test, atomic_read(&log->reports), HUNG_REPORTS,
			    "too few hung reports once the threshold was set");
	KUNIT_ASSERT_FALSE_MSG(test, woke,
			       "the waiter woke with I/O outstanding: hidden from khungtaskd");
	assert_only_leak_tracked(test, &after, log, &drained);
}

/*
 * Tracking switched on and off while kthreads, two per counter, begin and
 * end requests out of order.
 */
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

	int i, a, b;

	for (i = 0; i < TOGGLE_PAIRS; i++) {
		balanced_begin(ic, &a);
		balanced_begin(ic, &b);
		if (!(i & 255))
			usleep_range(100, 200);
		request_end(ic, &a);	/* out of order */
		request_end(ic, &b);
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

	/*
	 * A last batch with tracking on, whatever the last toggle was: had the
	 * loop ended with tracking off, its purge would hide an end that
	 * fails to drop its record.
	 */
	netfs_iocount_set_tracking(true);
	for (i = 0; i < TOGGLE_PAIRS; i++) {
		int a;

		balanced_begin(&ctx->ic[i % TOGGLE_COUNTERS], &a);
		request_end(&ctx->ic[i % TOGGLE_COUNTERS], &a);
	}
	for (i = 0; i < TOGGLE_COUNTERS; i++)
		drained &= !netfs_iocount_read(&ctx->ic[i]);
	kfree(ctx);
	KUNIT_ASSERT_TRUE_MSG(test, drained, "a count did not return to zero");
	netfs_iocount_stats_read(&st);
	kunit_info(test, "%d toggles\n", toggles);
	KUNIT_ASSERT_EQ_MSG(test, st.tracked, 0,
			    "records left behind with every count at zero");
	netfs_iocount_set_tracking(false);
	netfs_iocount_stats_read(&st);
	KUNIT_ASSERT_EQ(test, st.tracked, 0);
}

/*
 * Tracking on throughout: kthreads on one counter begin and end requests out
 * of order while one leaked request is outstanding; exactly that one is left.
 */
struct concurrent_ctx {
	struct netfs_iocount ic;
	struct completion done[CONCURRENT_WORKERS];
	atomic_t next;
};

static int concurrent_worker(void *data)
{
	struct concurrent_ctx *ctx = data;
	int me = atomic_inc_return(&ctx->next) - 1;
	int i, a, b;

	for (i = 0; i < CONCURRENT_PAIRS; i++) {
		balanced_begin(&ctx->ic, &a);
		balanced_begin(&ctx->ic, &b);
		request_end(&ctx->ic, &a);
		if (!(i & 255))
			usleep_range(100, 200);
		request_end(&ctx->ic, &b);
	}
	kthread_complete_and_exit(&ctx->done[me], 0);
}

static void debug_tracking_concurrent_same_counter(struct kunit *test)
{
	struct netfs_iocount_stats st, drained;
	struct concurrent_ctx *ctx;
	struct report_log *log;
	struct inode_waiter *w;
	unsigned long deadline, returned;
	int i, leaked;

	/* Not test-managed: a worker that does not finish keeps it. */
	ctx = kzalloc(sizeof(*ctx), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctx);
	log = kunit_kzalloc(test, sizeof(*log), GFP_KERNEL);
	if (!log)
		kfree(ctx);
	KUNIT_ASSERT_NOT_NULL(test, log);
	netfs_iocount_init(&ctx->ic);
	for (i = 0; i < CONCURRENT_WORKERS; i++)
		init_completion(&ctx->done[i]);
	netfs_iocount_set_tracking(true);
	leaky_begin(&ctx->ic, &leaked);
	for (i = 0; i < CONCURRENT_WORKERS; i++) {
		if (IS_ERR(kthread_run(concurrent_worker, ctx, "iocount-conc/%d", i))) {
			/* Workers already running use @ctx: leak it. */
			KUNIT_FAIL(test, "kthread_run failed");
			return;
		}
	}
	/* Polled, not waited for: khungtaskd is watching this suite. */
	deadline = jiffies + msecs_to_jiffies(60 * 1000);
	for (i = 0; i < CONCURRENT_WORKERS; i++) {
		while (!completion_done(&ctx->done[i]) &&
		       time_before(jiffies, deadline))
			msleep(20);
		KUNIT_ASSERT_TRUE_MSG(test, completion_done(&ctx->done[i]),
				      "a worker did not finish");
	}
	netfs_iocount_stats_read(&st);

	/* A wait on the counter is reported with what tracking holds. */
	w = inode_waiter_new(test, &ctx->ic, CONCURRENT_INO);
	report_log_start(test, log, &ctx->ic);
	KUNIT_ASSERT_EQ(test, netfs_iocount_set_hung_warn_secs(1), 0);
	if (IS_ERR(kthread_run(inode_waiter_main, w, "iocount-hung"))) {
		kfree(w);
		w = NULL;
	} else {
		report_log_wait(log, 1);
	}
	request_end(&ctx->ic, &leaked);
	report_log_stop(log);
	KUNIT_ASSERT_NOT_NULL_MSG(test, w, "kthread_run failed");
	returned = wait_for_completion_timeout(&w->done,
					       msecs_to_jiffies(RETURN_BOUND_MS));
	KUNIT_ASSERT_TRUE_MSG(test, returned,
			      "ending the leak did not end the wait");
	kfree(w);
	kfree(ctx);
	netfs_iocount_stats_read(&drained);

	assert_only_leak_tracked(test, &st, log, &drained);
}

/*
 * A spurious end can balance a leaked begin: the count drains and the
 * leaked request's record stays.  A new owner initialising a counter at
 * the same address must not inherit it.
 */
static void debug_tracking_forgets_on_init(struct kunit *test)
{
	struct netfs_iocount_stats before, balanced, reinit;
	struct netfs_iocount *ic = kunit_kzalloc(test, sizeof(*ic), GFP_KERNEL);
	int leaked, spurious;

	KUNIT_ASSERT_NOT_NULL(test, ic);
	netfs_iocount_init(ic);
	netfs_iocount_set_tracking(true);
	netfs_iocount_stats_read(&before);
	leaky_begin(ic, &leaked);
	request_end(ic, &spurious);
	netfs_iocount_stats_read(&balanced);
	netfs_iocount_init(ic);
	netfs_iocount_stats_read(&reinit);

	KUNIT_ASSERT_EQ(test, netfs_iocount_read(ic), 0);
	KUNIT_ASSERT_EQ_MSG(test, balanced.tracked - before.tracked, 1,
			    "the leaked request's record must outlive the spurious end");
	KUNIT_ASSERT_EQ_MSG(test, reinit.tracked, before.tracked,
			    "a new owner inherited a record of the old one");
}

/* Trace event probes, counting the events of one counter. */
struct event_log {
	const void *ic;
	int begins, ends, underflows, wait_starts, wait_ends;
	int begin_counts[8], end_counts[8];
	struct completion wait_started;
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

	if (ic != log->ic)
		return;
	log->wait_starts++;
	complete(&log->wait_started);
}

static void probe_wait_end(void *data, const void *ic, u64 slept_ns, long ret)
{
	struct event_log *log = data;

	if (ic == log->ic)
		log->wait_ends++;
}

struct ender {
	struct netfs_iocount *ic;
	struct event_log *log;
	struct completion done;
};

/* Ends the request a wait sleeps on, once the wait has begun its sleep. */
static int ender_main(void *data)
{
	struct ender *e = data;

	wait_for_completion_timeout(&e->log->wait_started,
				    msecs_to_jiffies(RETURN_BOUND_MS));
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
	long woken = 0;
	int i;

	ic = kunit_kzalloc(test, sizeof(*ic), GFP_KERNEL);
	log = kunit_kzalloc(test, sizeof(*log), GFP_KERNEL);
	e = kunit_kzalloc(test, sizeof(*e), GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, ic && log && e);
	netfs_iocount_init(ic);
	log->ic = ic;
	init_completion(&log->wait_started);
	e->ic = ic;
	e->log = log;
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
	if (IS_ERR(kthread_run(ender_main, e, "iocount-end"))) {
		netfs_iocount_end(ic);		/* and the counts below fail */
		complete(&e->done);
	} else {
		/* Sleeps until the ender ends; bounded, as a broken end may not wake. */
		woken = netfs_iocount_wait_timeout(ic, msecs_to_jiffies(RETURN_BOUND_MS));
	}
	wait_for_completion_timeout(&e->done, msecs_to_jiffies(RETURN_BOUND_MS));
	netfs_iocount_end(ic);			/* underflow */

	netfs_iocount_stats_read(&after);
	netfs_iocount_set_stats(false);
	unregister_trace_netfs_iocount_begin(probe_begin, log);
	unregister_trace_netfs_iocount_end(probe_end, log);
	unregister_trace_netfs_iocount_underflow(probe_underflow, log);
	unregister_trace_netfs_iocount_wait_start(probe_wait_start, log);
	unregister_trace_netfs_iocount_wait_end(probe_wait_end, log);
	tracepoint_synchronize_unregister();

	KUNIT_ASSERT_GT_MSG(test, woken, 0, "the last end did not wake the wait");
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
	KUNIT_CASE(debug_tracking_concurrent_same_counter),
	KUNIT_CASE(debug_tracking_forgets_on_init),
	KUNIT_CASE(debug_stats_and_events_match),
	KUNIT_CASE(debug_bad_threshold_refused),
	{}
};

static struct kunit_suite debug_suite = {
	.name = "netfs_iocount_debug",
	.init = debug_init,
	.exit = debug_exit,
	.test_cases = debug_cases,
};

kunit_test_suite(debug_suite);

MODULE_DESCRIPTION("KUnit tests for the diagnostics of netfs_iocount");
MODULE_LICENSE("GPL");
