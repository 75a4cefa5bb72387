// SPDX-License-Identifier: GPL-2.0
/*
 * netfs_iocount: per-inode count of outstanding I/O requests, so that inode
 * eviction waits for asynchronous request completion.
 *
 * The problem.  A netfs request may be freed from a workqueue after the
 * syscall that issued it has returned, and its free path still uses
 * per-mount state (9p drops a fid, which needs the 9p client).  At umount,
 * eviction and client teardown can run before that free: a use-after-free.
 *
 * The design.  Each inode carries a struct netfs_iocount, one atomic_t.
 * Request allocation begins it (after anything that can fail), the request
 * free path ends it as its very last access to the inode, and ->evict_inode
 * waits for it to reach zero before clear_inode().  This is the scheme of
 * the kernel's inode_dio_begin()/inode_dio_end()/inode_dio_wait(), applied
 * to the whole lifetime of a netfs request.
 *
 * Why not something else.  A refcount_t or kref models ownership, not a
 * drainable count: it has no "wait for zero".  A percpu_ref is cheaper under
 * contention but costs per-cpu memory for every inode and an RCU grace
 * period to switch to atomic mode before it can be waited on; eviction of a
 * cold inode must not pay that.  A spinlock and a wait_queue_head per inode
 * would grow every inode by a lock and a list head.  A single atomic_t and
 * the kernel's hashed wait queues (wake_up_var()) cost four bytes per inode
 * and two atomic operations per request.
 *
 * Memory ordering.  netfs_iocount_end() uses atomic_dec_return(), which is
 * fully ordered, exactly as atomic_dec_and_test() is:
 *
 *  - everything the ending request did to the inode and the client before
 *    the decrement happens-before the decrement; a waiter reads the count
 *    with acquire semantics, so once it sees zero it sees all of that and
 *    may tear the inode down;
 *
 *  - the decrement is ordered before wake_up_var()'s lockless check for
 *    sleepers (waitqueue_active()), which pairs with the barrier in
 *    set_current_state() on the waiter's side, after it has queued itself
 *    and before it re-reads the count: either the waker sees the waiter
 *    queued, or the waiter sees the count at zero.  No wake-up is lost and
 *    no extra barrier is needed.
 *
 * After the decrement the ending side touches only the address of the
 * counter, as a hash key and for key comparison in wake_up_var(); it never
 * dereferences it, so the owner may already be freed by then.
 *
 * Underflow.  An end without a begin is a caller bug.  It is detected from
 * the value atomic_dec_return() gives back (no second access), reported with
 * the caller's address, counted, and undone.  While it is being undone the
 * count reads -1 for an instant; waiters treat any count at or below zero as
 * idle, since no request was outstanding.  The undo does not wake anyone.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/build_bug.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/printk.h>
#include <linux/sched.h>
#include <linux/wait_bit.h>

#include "netfs_iocount.h"

static atomic64_t netfs_iocount_nr_waits = ATOMIC64_INIT(0);
static atomic64_t netfs_iocount_nr_waits_slept = ATOMIC64_INIT(0);
static atomic64_t netfs_iocount_nr_underflows = ATOMIC64_INIT(0);

/**
 * netfs_iocount_init - set a counter to zero outstanding requests
 * @ic: the counter, usually embedded in a filesystem's inode
 *
 * Call it when the owning object is initialised, before any begin.
 */
void netfs_iocount_init(struct netfs_iocount *ic)
{
	BUILD_BUG_ON(sizeof(struct netfs_iocount) != sizeof(atomic_t));
	BUILD_BUG_ON(sizeof(struct netfs_iocount) != 4);
	atomic_set(&ic->count, 0);
}
EXPORT_SYMBOL_GPL(netfs_iocount_init);

/*
 * True once no request is outstanding.  Acquire pairs with the fully ordered
 * decrement in netfs_iocount_end(): the caller may tear down what the ended
 * requests used.
 */
static bool netfs_iocount_idle(struct netfs_iocount *ic)
{
	int idle_at = 0;

	if (netfs_iocount_fault(EARLY_RETURN))
		idle_at = 1;
	return atomic_read_acquire(&ic->count) <= idle_at;
}

/*
 * Counts the wait and tells whether it must sleep at all, so that a wait on
 * an idle counter never touches the hashed wait queues.
 */
static bool netfs_iocount_must_sleep(struct netfs_iocount *ic)
{
	atomic64_inc(&netfs_iocount_nr_waits);
	if (netfs_iocount_idle(ic))
		return false;
	atomic64_inc(&netfs_iocount_nr_waits_slept);
	return true;
}

/**
 * netfs_iocount_wait - wait until no request is outstanding
 * @ic: the counter
 *
 * Returns at once when the count is zero; otherwise sleeps uninterruptibly
 * until the last netfs_iocount_end() wakes it.  Once it returns, everything
 * the ended requests did is visible to the caller.  New begins are the
 * caller's business: to wait for quiescence, stop issuing requests first
 * (eviction does, as the inode is unreachable by then).
 *
 * Context: process context; may sleep.  Hold no lock that an ending request
 * takes.
 */
void netfs_iocount_wait(struct netfs_iocount *ic)
{
	might_sleep();
	if (!netfs_iocount_must_sleep(ic))
		return;
	wait_var_event(&ic->count, netfs_iocount_idle(ic));
}
EXPORT_SYMBOL_GPL(netfs_iocount_wait);

/**
 * netfs_iocount_wait_killable - wait until no request is outstanding, or a
 * fatal signal arrives
 * @ic: the counter
 *
 * Like netfs_iocount_wait(), but a fatal signal ends the wait, so that a
 * count that never drains does not make an unkillable task.
 *
 * Context: process context; may sleep.
 * Return: 0 once the count is zero, or -ERESTARTSYS on a fatal signal.
 */
int netfs_iocount_wait_killable(struct netfs_iocount *ic)
{
	might_sleep();
	if (!netfs_iocount_must_sleep(ic))
		return 0;
	return wait_var_event_killable(&ic->count, netfs_iocount_idle(ic));
}
EXPORT_SYMBOL_GPL(netfs_iocount_wait_killable);

/**
 * netfs_iocount_wait_timeout - wait until no request is outstanding, for a
 * bounded time
 * @ic: the counter
 * @timeout: the longest time to sleep, in jiffies
 *
 * Like netfs_iocount_wait(), but gives up after @timeout jiffies.
 *
 * Context: process context; may sleep.
 * Return: 0 if the timeout elapsed with requests still outstanding,
 * otherwise the jiffies left, at least 1 (as wait_var_event_timeout()).
 */
long netfs_iocount_wait_timeout(struct netfs_iocount *ic, long timeout)
{
	might_sleep();
	if (!netfs_iocount_must_sleep(ic))
		return max(timeout, 1L);
	return wait_var_event_timeout(&ic->count, netfs_iocount_idle(ic),
				      timeout);
}
EXPORT_SYMBOL_GPL(netfs_iocount_wait_timeout);

/**
 * netfs_iocount_underflow - report and undo an end without a begin
 * @ic: the counter that went below zero
 *
 * The slow path of netfs_iocount_end(); not for direct use.  It names the
 * function that called netfs_iocount_end() (which is inlined into it), puts
 * the count back to where it was and wakes nobody.
 */
void netfs_iocount_underflow(struct netfs_iocount *ic)
{
	atomic64_inc(&netfs_iocount_nr_underflows);
	pr_err_ratelimited("underflow: end without begin on counter %p by %pS\n",
			   ic, (void *)_RET_IP_);
	atomic_inc(&ic->count);
}
EXPORT_SYMBOL_GPL(netfs_iocount_underflow);

/**
 * netfs_iocount_stats_read - snapshot the library-wide counters
 * @stats: where to store them
 *
 * Each field is read atomically; the set is not a consistent snapshot.
 */
void netfs_iocount_stats_read(struct netfs_iocount_stats *stats)
{
	stats->waits = atomic64_read(&netfs_iocount_nr_waits);
	stats->waits_slept = atomic64_read(&netfs_iocount_nr_waits_slept);
	stats->underflows = atomic64_read(&netfs_iocount_nr_underflows);
}
EXPORT_SYMBOL_GPL(netfs_iocount_stats_read);

MODULE_DESCRIPTION("Per-inode count of outstanding netfs I/O requests");
MODULE_LICENSE("GPL");
