// SPDX-License-Identifier: GPL-2.0
/*
 * An external consumer of netfs_iocount: a module that uses the API the way
 * a filesystem would, from another module, on any kernel (no KUnit needed).
 *
 * On load it starts @threads kthreads that each issue @requests "requests"
 * (begin, end, now and then a tick later, the way an asynchronous
 * completion would) while a waiter waits for quiescence over
 * and over, bounded by netfs_iocount_wait_timeout() so that a lost wake-up
 * shows up as a wait that ran to its timeout instead of a hang (the wait
 * then returns 1, as the count is zero by then: its length tells).  When the workers are done the
 * count must be zero and a final wait must return at once.  The outcome is
 * one line in the kernel log; the load fails if the checks fail.  Staying
 * loaded pins netfs_iocount.ko, which must then refuse to unload.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>

#include "../netfs_iocount.h"
#include "netfs_iocount_test_compat.h"
#include "netfs_iocount_test_param.h"

#define MAX_THREADS	64
#define MAX_REQUESTS	10000000
/*
 * A wait this long lost a wake-up: the workers take the count to zero many
 * times a second.
 */
#define LOST_WAKEUP_MS	5000

static unsigned int threads = 4;
static unsigned int requests = 100000;

NETFS_IOCOUNT_TEST_PARAM(threads, 1, MAX_THREADS,
			 "issuing kthreads (1..64, default 4)");
NETFS_IOCOUNT_TEST_PARAM(requests, 1, MAX_REQUESTS,
			 "requests per kthread (1..10000000, default 100000)");

struct consumer {
	struct netfs_iocount ic;
	atomic_t running;	/* workers not finished yet */
	atomic_t max_seen;	/* largest count a worker saw */
	unsigned long waits;
	unsigned long timeouts;	/* waits that ran to their timeout */
	struct consumer_thread {
		struct consumer *c;
		struct task_struct *task;
		struct completion done;
	} thread[MAX_THREADS + 1];	/* the workers, then the waiter */
};

static void note_max(struct consumer *c)
{
	int now = netfs_iocount_read(&c->ic);
	int old = atomic_read(&c->max_seen);

	while (now > old && !atomic_try_cmpxchg(&c->max_seen, &old, now))
		;
}

static int worker_fn(void *data)
{
	struct consumer_thread *t = data;
	struct consumer *c = t->c;
	unsigned int i;

	for (i = 0; i < requests; i++) {
		netfs_iocount_begin(&c->ic);
		note_max(c);
		/* Now and then complete "asynchronously", a tick later. */
		if (!(i & 1023))
			schedule_timeout_uninterruptible(1);
		netfs_iocount_end(&c->ic);
	}
	atomic_dec(&c->running);
	/* Exit from core code: the module may be unloaded right after. */
	kthread_complete_and_exit(&t->done, 0);
}

static int waiter_fn(void *data)
{
	struct consumer_thread *t = data;
	struct consumer *c = t->c;
	long timeout = msecs_to_jiffies(LOST_WAKEUP_MS);
	unsigned long start;

	do {
		start = jiffies;
		netfs_iocount_wait_timeout(&c->ic, timeout);
		if (time_after_eq(jiffies, start + timeout))
			c->timeouts++;
		c->waits++;
		cond_resched();
	} while (atomic_read(&c->running));
	kthread_complete_and_exit(&t->done, 0);
}

/* Create every thread first, so that a failure leaves none running. */
static int consumer_start(struct consumer *c)
{
	unsigned int i;

	for (i = 0; i <= threads; i++) {
		struct consumer_thread *t = &c->thread[i];

		t->c = c;
		init_completion(&t->done);
		t->task = kthread_create(i < threads ? worker_fn : waiter_fn,
					 t, "iocount-consumer/%u", i);
		if (IS_ERR(t->task)) {
			int ret = PTR_ERR(t->task);

			while (i--)
				kthread_stop(c->thread[i].task);
			return ret;
		}
	}
	for (i = 0; i <= threads; i++)
		wake_up_process(c->thread[i].task);
	return 0;
}

static int __init consumer_init(void)
{
	struct netfs_iocount_stats before, after;
	struct consumer *c;
	unsigned int i;
	int ret;

	c = kzalloc(sizeof(*c), GFP_KERNEL);
	if (!c)
		return -ENOMEM;
	netfs_iocount_init(&c->ic);
	atomic_set(&c->running, threads);
	netfs_iocount_stats_read(&before);

	ret = consumer_start(c);
	if (ret) {
		pr_err("cannot start kthreads: %d\n", ret);
		kfree(c);
		return ret;
	}
	for (i = 0; i <= threads; i++)
		wait_for_completion(&c->thread[i].done);
	netfs_iocount_wait(&c->ic);
	netfs_iocount_stats_read(&after);

	pr_info("%u threads x %u requests: count %d, max seen %d, %lu waits (%llu slept), %lu lost wake-ups\n",
		threads, requests, netfs_iocount_read(&c->ic),
		atomic_read(&c->max_seen), c->waits,
		after.waits_slept - before.waits_slept, c->timeouts);
	ret = netfs_iocount_read(&c->ic) || c->timeouts ? -EIO : 0;
	pr_info("%s\n", ret ? "FAIL" : "PASS");
	kfree(c);
	return ret;
}

static void __exit consumer_exit(void)
{
}

module_init(consumer_init);
module_exit(consumer_exit);

MODULE_DESCRIPTION("External consumer test of the netfs_iocount API");
MODULE_LICENSE("GPL");
