// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for the netfs_iocount core: counting, waking, waiting.
 *
 * Every wait under test runs in a kthread of its own and the test thread
 * watches it with bounded waits, so that a lost wake-up or an early return
 * is a test failure, never a hung test run.  A waiter that never returns is
 * rescued (count forced to zero, woken by hand) before the test ends; if
 * even that fails, its memory is leaked on purpose rather than freed under
 * it.
 *
 * Wake-ups are observed directly with a probe: an entry on the hashed wait
 * queue of the counter that records every wake_up_var() for it and the
 * count it saw at that moment.
 */

#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/wait.h>
#include <linux/wait_bit.h>

#include "../netfs_iocount.h"
#include "netfs_iocount_kunit_filter.h"
#include "netfs_iocount_test_compat.h"
#include "../netfs_iocount_trace.h"

/* A waiter that should return does so within this many milliseconds. */
#define RETURN_BOUND_MS		5000
/* A waiter that should stay asleep is watched for this long. */
#define SETTLE_MS		200
#define MAX_THREADS		16
#define STRESS_PAIRS		100000
#define STRESS_WAITERS		2
#define STRESS_MAX_WORKERS	8
#define STRESS_HOLD_EVERY	1024	/* per worker, one request in so many */
#define STRESS_MIN_SLEEPS	10
#define STRESS_HOLD_MAX_MS	100
#define NR_SHARED_COUNTERS	1024
#define RACE_ROUNDS		4000	/* half of them with the pair held inside */
#define RACE_SPIN_MS		20	/* bound of every spin of the race case */

struct tthread;
struct iocount_ctx;
typedef long (*tthread_fn)(struct tthread *t);

/* A test kthread: runs @fn once, records its result, signals @done. */
struct tthread {
	tthread_fn fn;
	struct netfs_iocount *ic;
	long arg;
	long ret;
	int count_at_return;	/* the counter as the function returned */
	bool in_wait;		/* set just before the call that may sleep */
	bool joined;		/* @done has been waited for */
	struct iocount_ctx *ctx;
	struct task_struct *task;
	struct completion done;
};

/* Per-test state: the counters and threads, torn down in iocount_exit(). */
struct iocount_ctx {
	struct netfs_iocount *ic;
	int nr_ic;
	struct tthread *threads[MAX_THREADS];
	int nr_threads;
	struct tthread *waiters[STRESS_WAITERS];	/* of the stress cases */
	bool stop;			/* for looping threads */
};

static int tthread_main(void *data)
{
	struct tthread *t = data;

	t->ret = t->fn(t);
	t->count_at_return = netfs_iocount_read(t->ic);
	/* Exit from core code: the module may be unloaded right after. */
	kthread_complete_and_exit(&t->done, 0);
}

/* Start a test kthread, bound to @cpu unless it is negative. */
static struct tthread *tthread_start_on(struct kunit *test, tthread_fn fn,
					struct netfs_iocount *ic, long arg,
					int cpu)
{
	struct iocount_ctx *ctx = test->priv;
	struct tthread *t;

	KUNIT_ASSERT_LT(test, ctx->nr_threads, MAX_THREADS);
	t = kzalloc(sizeof(*t), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t);
	t->fn = fn;
	t->ic = ic;
	t->arg = arg;
	t->ctx = ctx;
	init_completion(&t->done);
	t->task = kthread_create(tthread_main, t, "iocount-test/%d",
				 ctx->nr_threads);
	if (IS_ERR(t->task)) {
		kfree(t);
		KUNIT_FAIL_AND_ABORT(test, "kthread_create failed");
	}
	get_task_struct(t->task);
	ctx->threads[ctx->nr_threads++] = t;
	if (cpu >= 0)
		kthread_bind(t->task, cpu);
	wake_up_process(t->task);
	return t;
}

static struct tthread *tthread_start(struct kunit *test, tthread_fn fn,
				     struct netfs_iocount *ic, long arg)
{
	return tthread_start_on(test, fn, ic, arg, -1);
}

static bool tthread_returned(struct tthread *t)
{
	return t->joined || completion_done(&t->done);
}

static bool tthread_returns_within(struct tthread *t, unsigned int ms)
{
	if (!t->joined)
		t->joined = wait_for_completion_timeout(&t->done,
							msecs_to_jiffies(ms));
	return t->joined;
}

/* Whether @t is asleep inside the call under test right now. */
static bool tthread_asleep(struct tthread *t)
{
	return READ_ONCE(t->in_wait) &&
	       (netfs_iocount_task_state(t->task) & TASK_UNINTERRUPTIBLE);
}

/*
 * Wait until @t is asleep inside the call under test; false if it returned
 * instead (or never got there within the bound).
 */
static bool tthread_sleeps_in_wait(struct tthread *t)
{
	unsigned long deadline = jiffies + msecs_to_jiffies(RETURN_BOUND_MS);

	while (time_before(jiffies, deadline)) {
		if (tthread_returned(t))
			return false;
		if (tthread_asleep(t))
			return true;
		usleep_range(500, 1000);
	}
	return false;
}

/*
 * Force every counter of the test to zero and wake its waiters, so that a
 * waiter stuck by a broken build can finish.
 */
static void iocount_rescue_all(struct iocount_ctx *ctx)
{
	int i;

	WRITE_ONCE(ctx->stop, true);
	for (i = 0; i < ctx->nr_ic; i++) {
		atomic_set(&ctx->ic[i].count, 0);
		wake_up_var(&ctx->ic[i].count);
	}
}

/*
 * Join every thread, rescuing those still waiting; false if one cannot be
 * joined even then.  Reports at most one line: the debugfs log of a case
 * is small and its result line must still fit.
 */
static bool iocount_join_all(struct kunit *test)
{
	struct iocount_ctx *ctx = test->priv;
	int i, stuck = 0, lost = 0;

	for (i = 0; i < ctx->nr_threads; i++) {
		struct tthread *t = ctx->threads[i];

		if (!tthread_returns_within(t, RETURN_BOUND_MS)) {
			stuck++;
			iocount_rescue_all(ctx);
			if (!tthread_returns_within(t, RETURN_BOUND_MS)) {
				lost++;
				continue;
			}
		}
		put_task_struct(t->task);
		kfree(t);
		ctx->threads[i] = NULL;
	}
	ctx->nr_threads = 0;
	if (stuck)
		KUNIT_FAIL(test, "%d thread(s) still waiting at the end, %d beyond rescue",
			   stuck, lost);
	return !lost;
}

static struct netfs_iocount *iocount_alloc(struct kunit *test, int nr)
{
	struct iocount_ctx *ctx = test->priv;
	int i;

	KUNIT_ASSERT_NULL(test, ctx->ic);
	ctx->ic = kcalloc(nr, sizeof(*ctx->ic), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctx->ic);
	ctx->nr_ic = nr;
	for (i = 0; i < nr; i++)
		netfs_iocount_init(&ctx->ic[i]);
	return ctx->ic;
}

static int iocount_init(struct kunit *test)
{
	test->priv = kunit_kzalloc(test, sizeof(struct iocount_ctx), GFP_KERNEL);
	if (!test->priv)
		return -ENOMEM;
	netfs_iocount_kunit_filter_case(test);
	return 0;
}

static void iocount_exit(struct kunit *test)
{
	struct iocount_ctx *ctx = test->priv;

	netfs_iocount_set_stats(false);
	/* A thread beyond rescue may still use the counters: leak them. */
	if (iocount_join_all(test))
		kfree(ctx->ic);
}

/* The probe: counts wake-ups of one counter and the count each one saw. */
struct wake_probe {
	struct wait_queue_entry wqe;
	atomic_t *var;
	atomic_t wakes;
	atomic_t wakes_not_at_zero;
};

static int wake_probe_fn(struct wait_queue_entry *wqe, unsigned int mode,
			 int sync, void *arg)
{
	struct wake_probe *p = container_of(wqe, struct wake_probe, wqe);
	struct wait_bit_key *key = arg;

	if ((void *)key->flags != (void *)p->var || key->bit_nr != -1)
		return 0;
	atomic_inc(&p->wakes);
	if (atomic_read(p->var) != 0)
		atomic_inc(&p->wakes_not_at_zero);
	return 0;
}

static void wake_probe_add(struct wake_probe *p, struct netfs_iocount *ic)
{
	init_waitqueue_func_entry(&p->wqe, wake_probe_fn);
	p->var = &ic->count;
	atomic_set(&p->wakes, 0);
	atomic_set(&p->wakes_not_at_zero, 0);
	add_wait_queue(__var_waitqueue(p->var), &p->wqe);
}

static void wake_probe_del(struct wake_probe *p)
{
	remove_wait_queue(__var_waitqueue(p->var), &p->wqe);
}

/* Thread bodies. */

static long do_wait(struct tthread *t)
{
	WRITE_ONCE(t->in_wait, true);
	netfs_iocount_wait(t->ic);
	return 0;
}

static long do_wait_killable(struct tthread *t)
{
	allow_signal(SIGKILL);
	WRITE_ONCE(t->in_wait, true);
	return netfs_iocount_wait_killable(t->ic);
}

static long do_wait_timeout(struct tthread *t)
{
	WRITE_ONCE(t->in_wait, true);
	return netfs_iocount_wait_timeout(t->ic, t->arg);
}

static long do_end_n(struct tthread *t)
{
	long i;

	for (i = 0; i < t->arg; i++)
		netfs_iocount_end(t->ic);
	return 0;
}

/* Test cases. */

static void iocount_initial_state(struct kunit *test)
{
	struct netfs_iocount *ic = iocount_alloc(test, 1);

	KUNIT_ASSERT_EQ(test, sizeof(struct netfs_iocount), 4);
	KUNIT_ASSERT_EQ(test, netfs_iocount_read(ic), 0);
	KUNIT_ASSERT_EQ(test, netfs_iocount_wait_timeout(ic, 7), 7);
	KUNIT_ASSERT_EQ(test, netfs_iocount_wait_killable(ic), 0);
}

static void iocount_begin_end_balance(struct kunit *test)
{
	struct netfs_iocount *ic = iocount_alloc(test, 1);
	int i;

	for (i = 0; i < 1000; i++)
		netfs_iocount_begin(ic);
	KUNIT_ASSERT_EQ(test, netfs_iocount_read(ic), 1000);
	for (i = 0; i < 999; i++)
		netfs_iocount_end(ic);
	KUNIT_ASSERT_EQ(test, netfs_iocount_read(ic), 1);
	netfs_iocount_end(ic);
	KUNIT_ASSERT_EQ(test, netfs_iocount_read(ic), 0);
}

/* The last end wakes exactly once, after the count has reached zero. */
static void iocount_end_wakes_once_at_zero(struct kunit *test)
{
	struct netfs_iocount *ic = iocount_alloc(test, 1);
	struct wake_probe probe;
	int i;

	wake_probe_add(&probe, ic);
	for (i = 0; i < 3; i++)
		netfs_iocount_begin(ic);
	for (i = 0; i < 3; i++)
		netfs_iocount_end(ic);
	wake_probe_del(&probe);
	KUNIT_ASSERT_EQ_MSG(test, atomic_read(&probe.wakes_not_at_zero), 0,
			    "a wake-up came before the count reached zero");
	KUNIT_ASSERT_EQ_MSG(test, atomic_read(&probe.wakes), 1,
			    "the end that reaches zero must wake, no other");
}

static void iocount_wait_idle_returns_at_once(struct kunit *test)
{
	struct netfs_iocount *ic = iocount_alloc(test, 1);
	struct netfs_iocount_stats before, after;
	struct tthread *w;

	netfs_iocount_set_stats(true);
	netfs_iocount_stats_read(&before);
	w = tthread_start(test, do_wait, ic, 0);
	KUNIT_ASSERT_TRUE_MSG(test, tthread_returns_within(w, RETURN_BOUND_MS),
			      "wait on an idle counter did not return");
	netfs_iocount_stats_read(&after);
	KUNIT_ASSERT_EQ(test, after.waits - before.waits, 1);
	KUNIT_ASSERT_EQ(test, after.waits_slept - before.waits_slept, 0);
}

/*
 * A waiter sleeps while any request is outstanding, including the last one,
 * and returns once another kthread has ended them all.
 */
static void iocount_wait_sleeps_until_last_end(struct kunit *test)
{
	struct netfs_iocount *ic = iocount_alloc(test, 1);
	struct tthread *early, *late, *ender;

	netfs_iocount_begin(ic);
	netfs_iocount_begin(ic);
	early = tthread_start(test, do_wait, ic, 0);
	KUNIT_ASSERT_TRUE_MSG(test, tthread_sleeps_in_wait(early),
			      "wait returned with 2 requests outstanding");

	ender = tthread_start(test, do_end_n, ic, 1);
	KUNIT_ASSERT_TRUE(test, tthread_returns_within(ender, RETURN_BOUND_MS));
	KUNIT_ASSERT_EQ(test, netfs_iocount_read(ic), 1);

	late = tthread_start(test, do_wait, ic, 0);
	KUNIT_ASSERT_TRUE_MSG(test, tthread_sleeps_in_wait(late),
			      "wait returned with 1 request outstanding");
	msleep(SETTLE_MS);
	KUNIT_ASSERT_FALSE_MSG(test, tthread_returned(early),
			       "wait returned before the last end");

	ender = tthread_start(test, do_end_n, ic, 1);
	KUNIT_ASSERT_TRUE_MSG(test, tthread_returns_within(early, RETURN_BOUND_MS),
			      "the last end did not wake the first waiter");
	KUNIT_ASSERT_TRUE_MSG(test, tthread_returns_within(late, RETURN_BOUND_MS),
			      "the last end did not wake the second waiter");
	KUNIT_ASSERT_EQ(test, early->count_at_return, 0);
	KUNIT_ASSERT_EQ(test, late->count_at_return, 0);
}

static void iocount_wait_timeout(struct kunit *test)
{
	struct netfs_iocount *ic = iocount_alloc(test, 1);
	long long_wait = msecs_to_jiffies(20 * RETURN_BOUND_MS);
	struct tthread *w;

	netfs_iocount_begin(ic);
	w = tthread_start(test, do_wait_timeout, ic, msecs_to_jiffies(SETTLE_MS));
	KUNIT_ASSERT_TRUE(test, tthread_returns_within(w, RETURN_BOUND_MS));
	KUNIT_ASSERT_EQ_MSG(test, w->ret, 0,
			    "timed out with I/O outstanding must return 0");

	w = tthread_start(test, do_wait_timeout, ic, long_wait);
	KUNIT_ASSERT_TRUE(test, tthread_sleeps_in_wait(w));
	msleep(SETTLE_MS);
	netfs_iocount_end(ic);
	KUNIT_ASSERT_TRUE(test, tthread_returns_within(w, RETURN_BOUND_MS));
	KUNIT_ASSERT_GE(test, w->ret, 1);
	/* It slept at least SETTLE_MS; allow one jiffy of rounding. */
	KUNIT_ASSERT_LE_MSG(test, w->ret,
			    long_wait - (long)msecs_to_jiffies(SETTLE_MS) + 1,
			    "woken waiter must return the time left");

	KUNIT_ASSERT_EQ(test, netfs_iocount_wait_timeout(ic, long_wait),
			long_wait);
	KUNIT_ASSERT_EQ(test, netfs_iocount_wait_timeout(ic, 0), 1);
}

static void iocount_wait_killable(struct kunit *test)
{
	struct netfs_iocount *ic = iocount_alloc(test, 1);
	struct tthread *w;

	netfs_iocount_begin(ic);
	w = tthread_start(test, do_wait_killable, ic, 0);
	KUNIT_ASSERT_TRUE(test, tthread_sleeps_in_wait(w));
	msleep(SETTLE_MS);
	KUNIT_ASSERT_FALSE(test, tthread_returned(w));
	send_sig(SIGKILL, w->task, 1);
	KUNIT_ASSERT_TRUE_MSG(test, tthread_returns_within(w, RETURN_BOUND_MS),
			      "SIGKILL did not end the killable wait");
	KUNIT_ASSERT_EQ(test, w->ret, (long)-ERESTARTSYS);
	KUNIT_ASSERT_EQ(test, netfs_iocount_read(ic), 1);

	w = tthread_start(test, do_wait_killable, ic, 0);
	KUNIT_ASSERT_TRUE(test, tthread_sleeps_in_wait(w));
	netfs_iocount_end(ic);
	KUNIT_ASSERT_TRUE(test, tthread_returns_within(w, RETURN_BOUND_MS));
	KUNIT_ASSERT_EQ(test, w->ret, 0);
}

/*
 * An end without a begin is reported and counted, leaves the count at zero
 * (so the next begin makes it one, not zero) and wakes nobody.
 */
static void iocount_underflow(struct kunit *test)
{
	struct netfs_iocount *ic = iocount_alloc(test, 1);
	struct netfs_iocount_stats before, after;
	struct wake_probe probe;
	struct tthread *w;

	netfs_iocount_stats_read(&before);
	wake_probe_add(&probe, ic);
	netfs_iocount_end(ic);
	wake_probe_del(&probe);
	netfs_iocount_stats_read(&after);

	KUNIT_ASSERT_EQ_MSG(test, after.underflows - before.underflows, 1,
			    "underflow not reported");
	KUNIT_ASSERT_EQ_MSG(test, netfs_iocount_read(ic), 0,
			    "underflow left the count below zero");
	KUNIT_ASSERT_EQ_MSG(test, atomic_read(&probe.wakes), 0,
			    "underflow woke waiters");

	netfs_iocount_begin(ic);
	KUNIT_ASSERT_EQ(test, netfs_iocount_read(ic), 1);
	w = tthread_start(test, do_wait, ic, 0);
	KUNIT_ASSERT_TRUE_MSG(test, tthread_sleeps_in_wait(w),
			      "after an underflow, a wait ignored a new request");
	netfs_iocount_end(ic);
	KUNIT_ASSERT_TRUE(test, tthread_returns_within(w, RETURN_BOUND_MS));
	KUNIT_ASSERT_EQ(test, netfs_iocount_read(ic), 0);
}

/*
 * A spurious end races a correct begin/end pair, once per round: in half
 * the rounds the pair runs entirely while the spurious end is being
 * reported (held there by a probe on the underflow event, so the window,
 * if the containment has one, is certain to be hit), in the other half
 * they run freely.  After every round the count must be zero, exactly one
 * underflow must have been reported, and a held pair must never have seen
 * the count at zero while its request was outstanding.  The two threads
 * are pinned to two CPUs, as the probe spins with preemption off.
 */
struct underflow_race {
	struct netfs_iocount ic;
	struct task_struct *spurious;	/* the thread whose end is spurious */
	atomic_t round;			/* the round being run */
	atomic_t in_report;		/* round whose spurious end is reported */
	atomic_t pair_done;		/* last round the pair finished */
	atomic_t pair_saw_zero;		/* held rounds where begin left it 0 */
	bool hold;			/* this round holds the pair inside */
	bool stop;
	/* The verdict of the spurious thread, for the test to assert. */
	int failed_round;
	int count;
	u64 reported;
};

/* Spin until @cond or RACE_SPIN_MS; false on timeout. */
#define race_spin_until(cond)						\
({									\
	unsigned long __deadline = jiffies + msecs_to_jiffies(RACE_SPIN_MS); \
	bool __ok;							\
									\
	while (!(__ok = (cond)) && time_before(jiffies, __deadline))	\
		cpu_relax();						\
	__ok;								\
})

/* On the underflow event: hold the spurious end until the pair is done. */
static void race_probe_underflow(void *data, const void *ic, int count,
				 unsigned long caller)
{
	struct underflow_race *race = data;
	int round = atomic_read(&race->round);

	if (ic != &race->ic || current != race->spurious)
		return;
	atomic_set(&race->in_report, round);
	if (READ_ONCE(race->hold))
		race_spin_until(atomic_read_acquire(&race->pair_done) == round);
}

static long do_race_spurious(struct tthread *t)
{
	struct underflow_race *race = container_of(t->ic, struct underflow_race, ic);
	struct netfs_iocount_stats before, after;
	int round;

	WRITE_ONCE(race->spurious, current);
	for (round = 1; round <= RACE_ROUNDS; round++) {
		netfs_iocount_stats_read(&before);
		WRITE_ONCE(race->hold, round & 1);
		atomic_set_release(&race->round, round);
		netfs_iocount_end(&race->ic);
		if (!race_spin_until(atomic_read_acquire(&race->pair_done) == round))
			break;
		netfs_iocount_stats_read(&after);
		race->count = netfs_iocount_read(&race->ic);
		race->reported = after.underflows - before.underflows;
		if (race->count || race->reported != 1)
			break;
	}
	race->failed_round = round <= RACE_ROUNDS ? round : 0;
	WRITE_ONCE(race->stop, true);
	return 0;
}

static long do_race_pair(struct tthread *t)
{
	struct underflow_race *race = container_of(t->ic, struct underflow_race, ic);
	unsigned long idle_since = jiffies;
	int done = 0, round;
	bool hold;

	while (!READ_ONCE(race->stop) &&
	       time_before(jiffies, idle_since + msecs_to_jiffies(RETURN_BOUND_MS))) {
		round = atomic_read_acquire(&race->round);
		if (round == done) {
			cpu_relax();
			continue;
		}
		hold = READ_ONCE(race->hold);
		if (hold)
			race_spin_until(atomic_read(&race->in_report) == round);
		netfs_iocount_begin(&race->ic);
		/*
		 * Only a pair held inside the report is certain to begin after
		 * the spurious end; running freely, the spurious end may come
		 * after this begin and take its count, which no counter can
		 * tell from a correct end.
		 */
		if (hold && !netfs_iocount_read(&race->ic))
			atomic_inc(&race->pair_saw_zero);
		netfs_iocount_end(&race->ic);
		atomic_set_release(&race->pair_done, round);
		done = round;
		idle_since = jiffies;
	}
	return 0;
}

static void iocount_underflow_races_correct_pair(struct kunit *test)
{
	struct underflow_race *race;
	struct tthread *spurious, *pair;
	int cpu0, cpu1;

	if (num_online_cpus() < 2)
		kunit_skip(test, "needs two CPUs");
	cpu0 = cpumask_first(cpu_online_mask);
	cpu1 = cpumask_next(cpu0, cpu_online_mask);
	race = kunit_kzalloc(test, sizeof(*race), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, race);
	netfs_iocount_init(&race->ic);
	KUNIT_ASSERT_EQ(test, register_trace_netfs_iocount_underflow(race_probe_underflow,
								     race), 0);
	pair = tthread_start_on(test, do_race_pair, &race->ic, 0, cpu1);
	spurious = tthread_start_on(test, do_race_spurious, &race->ic, 0, cpu0);
	KUNIT_EXPECT_TRUE(test, tthread_returns_within(spurious, 60 * 1000));
	KUNIT_EXPECT_TRUE(test, tthread_returns_within(pair, RETURN_BOUND_MS));
	unregister_trace_netfs_iocount_underflow(race_probe_underflow, race);
	tracepoint_synchronize_unregister();

	KUNIT_ASSERT_EQ_MSG(test, race->count, 0,
			    "phantom count after round %d", race->failed_round);
	KUNIT_ASSERT_EQ_MSG(test, race->reported, 1,
			    "%llu underflows reported in round %d",
			    race->reported, race->failed_round);
	KUNIT_ASSERT_EQ_MSG(test, race->failed_round, 0,
			    "round %d did not finish", race->failed_round);
	KUNIT_ASSERT_EQ_MSG(test, atomic_read(&race->pair_saw_zero), 0,
			    "a correct request saw the count at 0");
}

/* Stress: workers begin and end, waiters wait over and over. */

/*
 * Keep the caller's request outstanding until a waiter is asleep on it, or
 * for STRESS_HOLD_MAX_MS at most: the sleep and the wake-up that must end
 * it are what the stress is about, and the scheduler under emulation is
 * too unpredictable to leave them to chance.
 */
static void stress_hold_until_a_waiter_sleeps(struct iocount_ctx *ctx)
{
	unsigned long deadline = jiffies + msecs_to_jiffies(STRESS_HOLD_MAX_MS);
	int i;

	do {
		usleep_range(20, 50);
		for (i = 0; i < STRESS_WAITERS; i++)
			if (tthread_asleep(ctx->waiters[i]))
				return;
	} while (time_before(jiffies, deadline));
}

static long do_stress_worker(struct tthread *t)
{
	/* The more workers, the rarer the holds, so the count still drains. */
	long hold_every = STRESS_HOLD_EVERY * t->arg;
	long i;

	for (i = 0; i < STRESS_PAIRS; i++) {
		if (!(i % hold_every)) {
			netfs_iocount_begin(t->ic);
			stress_hold_until_a_waiter_sleeps(t->ctx);
			netfs_iocount_end(t->ic);
			continue;
		}
		/*
		 * A worker preempted between begin and end would hold the
		 * count up for a whole time slice, and waiters would sleep
		 * through the run instead of waking again and again.
		 */
		preempt_disable();
		netfs_iocount_begin(t->ic);
		netfs_iocount_end(t->ic);
		preempt_enable();
	}
	return 0;
}

static long do_stress_waiter(struct tthread *t)
{
	long waits = 0;

	WRITE_ONCE(t->in_wait, true);
	while (!READ_ONCE(t->ctx->stop)) {
		netfs_iocount_wait(t->ic);
		waits++;
		cond_resched();
	}
	return waits;
}

static void iocount_stress(struct kunit *test, int nr)
{
	struct iocount_ctx *ctx = test->priv;
	struct netfs_iocount *ic = iocount_alloc(test, 1);
	struct tthread *workers[STRESS_MAX_WORKERS], *waiters[STRESS_WAITERS];
	struct netfs_iocount_stats before, after;
	long waits = 0;
	int i, lost = 0;

	KUNIT_ASSERT_LE(test, nr, STRESS_MAX_WORKERS);
	netfs_iocount_set_stats(true);
	netfs_iocount_stats_read(&before);
	for (i = 0; i < STRESS_WAITERS; i++) {
		waiters[i] = tthread_start(test, do_stress_waiter, ic, 0);
		ctx->waiters[i] = waiters[i];
	}
	for (i = 0; i < nr; i++)
		workers[i] = tthread_start(test, do_stress_worker, ic, nr);
	for (i = 0; i < nr; i++)
		KUNIT_ASSERT_TRUE(test, tthread_returns_within(workers[i],
							       60 * 1000));
	KUNIT_ASSERT_EQ(test, netfs_iocount_read(ic), 0);

	/*
	 * The count is zero now and stays there: every waiter must come back
	 * from its current wait.  One still asleep has lost its wake-up.
	 */
	WRITE_ONCE(ctx->stop, true);
	for (i = 0; i < STRESS_WAITERS; i++) {
		if (tthread_returns_within(waiters[i], RETURN_BOUND_MS))
			waits += waiters[i]->ret;
		else
			lost++;
	}
	KUNIT_ASSERT_EQ_MSG(test, lost, 0, "waiters asleep on a zero count");
	netfs_iocount_stats_read(&after);
	kunit_info(test, "%d x %d pairs, %ld waits, %llu slept\n",
		   nr, STRESS_PAIRS, waits, after.waits_slept - before.waits_slept);
	KUNIT_ASSERT_GE_MSG(test, after.waits_slept - before.waits_slept,
			    STRESS_MIN_SLEEPS,
			    "waiters hardly ever slept: the stress proved little");
}

/*
 * One case per thread count rather than KUNIT_CASE_PARAM: the debugfs
 * results of 6.1 keep only the last parameter's log, which kunit.py parse
 * then rejects.
 */
#define IOCOUNT_STRESS_CASE(nr)						\
static void iocount_stress_##nr##_kthreads(struct kunit *test)		\
{									\
	iocount_stress(test, nr);					\
}

IOCOUNT_STRESS_CASE(1)
IOCOUNT_STRESS_CASE(2)
IOCOUNT_STRESS_CASE(4)
IOCOUNT_STRESS_CASE(8)

static int bucket_of(struct netfs_iocount *ic)
{
	return (int)(long)__var_waitqueue(&ic->count);
}

/*
 * More counters than there are hashed wait queues: counters share queues,
 * and waking one must neither release nor lose the waiter of another.
 */
static void iocount_shared_wait_queues(struct kunit *test)
{
	struct netfs_iocount *ic = iocount_alloc(test, NR_SHARED_COUNTERS);
	struct tthread *w[4];
	int watched[4], nr_watched = 0;
	int i, j, k;

	for (i = 0; i < NR_SHARED_COUNTERS; i++)
		netfs_iocount_begin(&ic[i]);

	/* Watch three counters that share one queue, and one that does not. */
	for (i = 0; i < NR_SHARED_COUNTERS && nr_watched < 3; i++) {
		nr_watched = 0;
		watched[nr_watched++] = i;
		for (j = i + 1; j < NR_SHARED_COUNTERS && nr_watched < 3; j++)
			if (bucket_of(&ic[j]) == bucket_of(&ic[i]))
				watched[nr_watched++] = j;
	}
	KUNIT_ASSERT_EQ_MSG(test, nr_watched, 3, "no three counters share a queue");
	for (j = 0; j < NR_SHARED_COUNTERS; j++)
		if (bucket_of(&ic[j]) != bucket_of(&ic[watched[0]]))
			break;
	watched[nr_watched++] = j;

	for (k = 0; k < nr_watched; k++) {
		w[k] = tthread_start(test, do_wait, &ic[watched[k]], 0);
		KUNIT_ASSERT_TRUE(test, tthread_sleeps_in_wait(w[k]));
	}

	/* Drain every unwatched counter: a storm of wake-ups on shared queues. */
	for (i = 0; i < NR_SHARED_COUNTERS; i++) {
		for (k = 0; k < nr_watched; k++)
			if (i == watched[k])
				break;
		if (k == nr_watched)
			netfs_iocount_end(&ic[i]);
	}
	msleep(SETTLE_MS);
	for (k = 0; k < nr_watched; k++)
		KUNIT_ASSERT_FALSE_MSG(test, tthread_returned(w[k]),
				       "waiter %d released by another counter", k);

	/* Now drain the watched ones one by one: exactly that waiter returns. */
	for (k = 0; k < nr_watched; k++) {
		netfs_iocount_end(&ic[watched[k]]);
		KUNIT_ASSERT_TRUE_MSG(test, tthread_returns_within(w[k], RETURN_BOUND_MS),
				      "waiter %d lost its wake-up", k);
		msleep(SETTLE_MS / 4);
		for (j = k + 1; j < nr_watched; j++)
			KUNIT_ASSERT_FALSE_MSG(test, tthread_returned(w[j]),
					       "waiter %d released by counter %d",
					       j, k);
	}
}

static struct kunit_case iocount_cases[] = {
	KUNIT_CASE(iocount_initial_state),
	KUNIT_CASE(iocount_begin_end_balance),
	KUNIT_CASE(iocount_end_wakes_once_at_zero),
	KUNIT_CASE(iocount_wait_idle_returns_at_once),
	KUNIT_CASE(iocount_wait_sleeps_until_last_end),
	KUNIT_CASE(iocount_wait_timeout),
	KUNIT_CASE(iocount_wait_killable),
	KUNIT_CASE(iocount_underflow),
	KUNIT_CASE(iocount_underflow_races_correct_pair),
	KUNIT_CASE(iocount_stress_1_kthreads),
	KUNIT_CASE(iocount_stress_2_kthreads),
	KUNIT_CASE(iocount_stress_4_kthreads),
	KUNIT_CASE(iocount_stress_8_kthreads),
	KUNIT_CASE(iocount_shared_wait_queues),
	{}
};

static struct kunit_suite iocount_suite = {
	.name = "netfs_iocount",
	.init = iocount_init,
	.exit = iocount_exit,
	.test_cases = iocount_cases,
};

kunit_test_suite(iocount_suite);

MODULE_DESCRIPTION("KUnit tests for netfs_iocount");
MODULE_LICENSE("GPL");
