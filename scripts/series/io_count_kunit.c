// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for the count of outstanding netfs I/O requests.
 *
 * A request may be freed from a workqueue after the syscall that started it
 * has returned, and ->free_request() may still use the inode and its
 * superblock.  netfs_wait_for_outstanding_io(), called from ->evict_inode(),
 * must therefore not return before the last request's free has finished.
 * These tests hold ->free_request() of an asynchronously freed request and
 * check that a waiter stays blocked until it has run.
 *
 * Every wait is bounded, so a lost wake-up fails the test instead of hanging
 * the kernel.
 */

#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/kthread.h>
#include <linux/slab.h>
#include "internal.h"

#define IO_COUNT_SETTLE_MS	100	/* how long a blocked waiter is given */
#define IO_COUNT_TIMEOUT_MS	5000	/* bound on any wait that must end */

struct io_count_test_inode {
	struct netfs_inode	netfs;
	int			init_error;	/* returned by ->init_request() */
	bool			hold_free;	/* block ->free_request() */
	struct completion	free_entered;
	struct completion	free_release;
	struct completion	free_done;
	atomic_t		frees_done;
	struct completion	wait_started;
	struct completion	wait_done;
	int			frees_seen_by_waiter;
};

static struct io_count_test_inode *to_test_inode(struct inode *inode)
{
	return container_of(netfs_inode(inode), struct io_count_test_inode,
			    netfs);
}

static int io_count_init_request(struct netfs_io_request *rreq,
				 struct file *file)
{
	return to_test_inode(rreq->inode)->init_error;
}

static void io_count_free_request(struct netfs_io_request *rreq)
{
	struct io_count_test_inode *ti = to_test_inode(rreq->inode);

	if (ti->hold_free) {
		complete(&ti->free_entered);
		wait_for_completion(&ti->free_release);
	}
	atomic_inc(&ti->frees_done);
	complete(&ti->free_done);
}

static const struct netfs_request_ops io_count_test_ops = {
	.init_request	= io_count_init_request,
	.free_request	= io_count_free_request,
};

static struct io_count_test_inode *io_count_test_inode(struct kunit *test)
{
	struct io_count_test_inode *ti;
	struct inode *inode;

	ti = kunit_kzalloc(test, sizeof(*ti), GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, ti);
	inode = &ti->netfs.inode;
	inode_init_once(inode);
	inode->i_mapping = &inode->i_data;
	inode->i_data.host = inode;
	netfs_inode_init(&ti->netfs, &io_count_test_ops);
	init_completion(&ti->free_entered);
	init_completion(&ti->free_release);
	init_completion(&ti->free_done);
	init_completion(&ti->wait_started);
	init_completion(&ti->wait_done);
	return ti;
}

static struct netfs_io_request *io_count_alloc(struct io_count_test_inode *ti)
{
	struct inode *inode = &ti->netfs.inode;
	struct netfs_io_request *rreq;

	rreq = netfs_alloc_request(inode->i_mapping, NULL, 0, PAGE_SIZE,
				   NETFS_READAHEAD);
	/*
	 * netfs_begin_read() sets up the work item of a request it starts;
	 * these requests are never started, but may be freed from a workqueue.
	 */
	if (!IS_ERR(rreq))
		INIT_WORK(&rreq->work, NULL);
	return rreq;
}

static int io_count_waiter(void *data)
{
	struct io_count_test_inode *ti = data;

	complete(&ti->wait_started);
	netfs_wait_for_outstanding_io(&ti->netfs.inode);
	ti->frees_seen_by_waiter = atomic_read(&ti->frees_done);
	/* For good: the test may look more than once. */
	complete_all(&ti->wait_done);
	return 0;
}

static bool io_count_wait_done(struct io_count_test_inode *ti,
			       unsigned int ms)
{
	return wait_for_completion_timeout(&ti->wait_done,
					   msecs_to_jiffies(ms));
}

/*
 * A waiter that never returned must not outlive the test: force the count
 * to zero and wake it, so that it exits before the inode is freed.
 */
static void io_count_rescue_waiter(struct io_count_test_inode *ti)
{
	atomic_set(&ti->netfs.io_count, 0);
	wake_up_var(&ti->netfs.io_count);
	wait_for_completion(&ti->wait_done);
}

static void io_count_init_failure_not_counted(struct kunit *test)
{
	struct io_count_test_inode *ti = io_count_test_inode(test);
	struct netfs_io_request *rreq;

	ti->init_error = -ENOMEM;
	rreq = io_count_alloc(ti);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(rreq), -ENOMEM);
	KUNIT_EXPECT_EQ(test, atomic_read(&ti->netfs.io_count), 0);
}

static void io_count_sync_free(struct kunit *test)
{
	struct io_count_test_inode *ti = io_count_test_inode(test);
	struct netfs_io_request *rreq;

	rreq = io_count_alloc(ti);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, rreq);
	KUNIT_EXPECT_EQ(test, atomic_read(&ti->netfs.io_count), 1);
	netfs_put_request(rreq, false, netfs_rreq_trace_put_discard);
	KUNIT_EXPECT_EQ(test, atomic_read(&ti->frees_done), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&ti->netfs.io_count), 0);
	/* Nothing outstanding: must return at once. */
	netfs_wait_for_outstanding_io(&ti->netfs.inode);
}

static void io_count_async_free_blocks_wait(struct kunit *test)
{
	struct io_count_test_inode *ti = io_count_test_inode(test);
	struct netfs_io_request *rreq;
	unsigned long timeout = msecs_to_jiffies(IO_COUNT_TIMEOUT_MS);
	struct task_struct *waiter;
	bool entered, blocked, woken;

	ti->hold_free = true;
	rreq = io_count_alloc(ti);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, rreq);

	/* Queue the free as a completion handler would, and hold it. */
	netfs_put_request(rreq, true, netfs_rreq_trace_put_discard);
	entered = wait_for_completion_timeout(&ti->free_entered, timeout);
	if (!entered)
		complete(&ti->free_release);
	KUNIT_ASSERT_TRUE_MSG(test, entered, "->free_request() never ran");

	waiter = kthread_run(io_count_waiter, ti, "netfs-io-count-test");
	if (IS_ERR(waiter))
		complete(&ti->free_release);
	KUNIT_ASSERT_FALSE(test, IS_ERR(waiter));

	wait_for_completion(&ti->wait_started);
	blocked = !io_count_wait_done(ti, IO_COUNT_SETTLE_MS);
	complete(&ti->free_release);
	woken = io_count_wait_done(ti, IO_COUNT_TIMEOUT_MS);
	if (!woken)
		io_count_rescue_waiter(ti);
	/* Nothing may touch @ti once the test returns. */
	wait_for_completion_timeout(&ti->free_done, timeout);

	KUNIT_EXPECT_TRUE_MSG(test, blocked,
			      "wait returned while ->free_request() was running");
	KUNIT_EXPECT_TRUE_MSG(test, woken,
			      "wait not woken when the last request was freed");
	KUNIT_EXPECT_EQ(test, ti->frees_seen_by_waiter, 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&ti->netfs.io_count), 0);
}

static struct kunit_case io_count_test_cases[] = {
	KUNIT_CASE(io_count_init_failure_not_counted),
	KUNIT_CASE(io_count_sync_free),
	KUNIT_CASE(io_count_async_free_blocks_wait),
	{}
};

static struct kunit_suite io_count_test_suite = {
	.name = "netfs_io_count",
	.test_cases = io_count_test_cases,
};

kunit_test_suite(io_count_test_suite);
