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
 * to the whole lifetime of a netfs request, and of netfs's own io_count
 * since v6.10.
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
 * Memory ordering.  netfs_iocount_end() decrements with
 * atomic_fetch_add_unless(), which is fully ordered whenever it changes the
 * count, exactly as atomic_dec_and_test() is:
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
 * Underflow.  An end without a begin is a caller bug.  The end never takes
 * the count below zero: atomic_fetch_add_unless(v, -1, 0) leaves a zero
 * count alone and says so, and the end is then reported with its caller
 * and counted.  Nothing is stored, so there is nothing to undo: a correct
 * begin/end pair racing with the bad end is never mistaken for another
 * underflow, never leaves a phantom count behind, and never lets a waiter
 * see zero while its request is outstanding.  The cost against
 * atomic_dec_return() is a load before the locked cmpxchg (and a retry
 * when another CPU changed the count in between); see
 * Documentation/cost.rst.  What no counter can detect is a spurious end
 * while another request is outstanding: it takes that request's count, and
 * a waiter may return while that request still runs.  refcount_t has the
 * same blind spot.
 *
 * Waiting.  A wait is one sleep in the state the caller asked for, woken
 * only by the end that drains the count (or a timeout or signal the caller
 * asked for), so khungtaskd sees an uninterruptible wait that never ends
 * and reports it with its stack.  The library's own report, which names the
 * inode, the count and (with tracking on) the outstanding requests, comes
 * from netfs_iocount_hung.c, which watches sleeping waits from a delayed
 * work queued only while waits sleep.  That watch is always on: a wait
 * that must sleep takes its global mutex and re-arms its work before and
 * after the sleep, whatever debug feature is on or off; a wait that finds
 * the count at zero does neither.
 *
 * Diagnostics.  Tracking (netfs_iocount_track.c) records each begin with
 * its caller, stack and start time, keyed by the request where the caller
 * has one, in a side table, so struct netfs_iocount stays four bytes.
 * Statistics and trace events complete the picture (netfs_iocount_stats.c).
 * Every debug feature sits behind one static key that begin and end test
 * (netfs_iocount_main.c switches them): while all are off begin and end
 * are the atomics and patched-out branches.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/build_bug.h>
#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/export.h>
#include <linux/printk.h>
#include <linux/sched.h>
#include <linux/wait_bit.h>

#include "netfs_iocount_internal.h"

#define CREATE_TRACE_POINTS
#include "netfs_iocount_trace.h"

EXPORT_TRACEPOINT_SYMBOL_GPL(netfs_iocount_begin);
EXPORT_TRACEPOINT_SYMBOL_GPL(netfs_iocount_end);
EXPORT_TRACEPOINT_SYMBOL_GPL(netfs_iocount_underflow);
EXPORT_TRACEPOINT_SYMBOL_GPL(netfs_iocount_wait_start);
EXPORT_TRACEPOINT_SYMBOL_GPL(netfs_iocount_wait_end);
EXPORT_TRACEPOINT_SYMBOL_GPL(netfs_iocount_hung);
EXPORT_TRACEPOINT_SYMBOL_GPL(netfs_iocount_hung_request);

/**
 * netfs_iocount_init - set a counter to zero outstanding requests
 * @ic: the counter, usually embedded in a filesystem's inode
 *
 * Call it when the owning object is initialised, before any begin.  With
 * tracking on, records left by an earlier owner of the same address are
 * dropped.
 */
void netfs_iocount_init(struct netfs_iocount *ic)
{
	BUILD_BUG_ON(sizeof(struct netfs_iocount) != sizeof(atomic_t));
	BUILD_BUG_ON(sizeof(struct netfs_iocount) != 4);
	atomic_set(&ic->count, 0);
	if (netfs_iocount_tracking())
		netfs_iocount_track_forget(ic);
}
EXPORT_SYMBOL_GPL(netfs_iocount_init);

/* ---- The debug slow path of begin and end ---- */

/**
 * netfs_iocount_debug_begin - debug side of netfs_iocount_begin()
 * @ic: the counter just incremented
 * @req: the request begun, or NULL
 * @caller: an address in the function that began the request
 *
 * Called only while a debug feature is on; not for direct use.
 */
void netfs_iocount_debug_begin(struct netfs_iocount *ic, const void *req,
			       unsigned long caller)
{
	netfs_iocount_stats_begin();
	if (netfs_iocount_tracking())
		netfs_iocount_track_begin(ic, req, caller);
	trace_netfs_iocount_begin(ic, atomic_read(&ic->count), caller);
}
EXPORT_SYMBOL_GPL(netfs_iocount_debug_begin);

/**
 * netfs_iocount_debug_end - debug side of netfs_iocount_end(), before it
 * @ic: the counter about to be decremented
 * @req: the request ending, as passed to its begin, or NULL
 * @caller: an address in the function that ends the request
 *
 * Drops the request's record while the counter's owner is certainly alive
 * and no other owner can have the same address.  Called only while a debug
 * feature is on; not for direct use.
 */
void netfs_iocount_debug_end(struct netfs_iocount *ic, const void *req,
			     unsigned long caller)
{
	netfs_iocount_stats_end();
	if (netfs_iocount_tracking())
		netfs_iocount_track_end(ic, req);
}
EXPORT_SYMBOL_GPL(netfs_iocount_debug_end);

/**
 * netfs_iocount_debug_ended - debug side of netfs_iocount_end(), after it
 * @ic: the counter just decremented; a key only, never dereferenced
 * @left: the count after the end; -1 for an end that found it at zero
 * @caller: an address in the function that ended the request
 *
 * Called only while a debug feature is on; not for direct use.
 */
void netfs_iocount_debug_ended(struct netfs_iocount *ic, int left,
			       unsigned long caller)
{
	trace_netfs_iocount_end(ic, left, caller);
}
EXPORT_SYMBOL_GPL(netfs_iocount_debug_ended);

/**
 * netfs_iocount_underflow - report an end that found the count at zero
 * @ic: the counter; a key only
 * @caller: an address in the function that called netfs_iocount_end()
 *
 * The slow path of netfs_iocount_end(); not for direct use.  The count was
 * left at zero, so there is nothing to undo and nobody to wake.
 */
void netfs_iocount_underflow(struct netfs_iocount *ic, unsigned long caller)
{
	netfs_iocount_stats_underflow();
	trace_netfs_iocount_underflow(ic, 0, caller);
	pr_err_ratelimited("underflow: end without begin on counter %p by %pS; count left at 0\n",
			   ic, (void *)caller);
}
EXPORT_SYMBOL_GPL(netfs_iocount_underflow);

/* ---- Waiting ---- */

/*
 * True once no request is outstanding.  Acquire pairs with the fully ordered
 * decrement in netfs_iocount_end(): the caller may tear down what the ended
 * requests used.
 */
static bool netfs_iocount_idle(struct netfs_iocount *ic)
{
	return atomic_read_acquire(&ic->count) == 0;
}

/*
 * The one wait behind every netfs_iocount_wait*(): a single sleep in
 * @state until @ic is idle, @timeout passes or a signal that @state lets in
 * arrives.  While it sleeps it is watched for hung reports.
 * Return: >0 once idle (jiffies left, at least 1), 0 on timeout,
 * -ERESTARTSYS on a signal.
 */
static long netfs_iocount_sleep(struct netfs_iocount *ic,
				const struct inode *inode,
				unsigned int state, long timeout)
{
	struct netfs_iocount_waiter w;
	u64 start_ns = 0, slept_ns = 0;
	bool timed;
	long ret;

	might_sleep();
	if (netfs_iocount_idle(ic)) {
		netfs_iocount_stats_wait(false, 0);
		return max(timeout, 1L);
	}
	timed = netfs_iocount_stats_on() || trace_netfs_iocount_wait_end_enabled();
	if (timed)
		start_ns = ktime_get_ns();
	trace_netfs_iocount_wait_start(ic, netfs_iocount_read(ic));
	netfs_iocount_hung_watch(&w, ic, inode);
	ret = netfs_iocount_wait_var_event(&ic->count, netfs_iocount_idle(ic),
					   state, timeout);
	netfs_iocount_hung_unwatch(&w);
	if (timed)
		slept_ns = ktime_get_ns() - start_ns;
	netfs_iocount_stats_wait(true, slept_ns);
	trace_netfs_iocount_wait_end(ic, slept_ns, ret);
	return ret;
}

/**
 * netfs_iocount_wait - wait until no request is outstanding
 * @ic: the counter
 *
 * Returns at once when the count is zero; otherwise sleeps uninterruptibly,
 * in one sleep, until the last netfs_iocount_end() wakes it.  Once it
 * returns, everything the ended requests did is visible to the caller.  New
 * begins are the caller's business: to wait for quiescence, stop issuing
 * requests first (eviction does, as the inode is unreachable by then).  A
 * wait asleep longer than hung_warn_secs is reported, and goes on; the
 * kernel's hung-task detector sees it as any other blocked task.
 *
 * Context: process context; may sleep.  Hold no lock that an ending request
 * takes.
 */
void netfs_iocount_wait(struct netfs_iocount *ic)
{
	netfs_iocount_sleep(ic, NULL, TASK_UNINTERRUPTIBLE,
			    MAX_SCHEDULE_TIMEOUT);
}
EXPORT_SYMBOL_GPL(netfs_iocount_wait);

/**
 * netfs_iocount_wait_inode - wait until no request on an inode is outstanding
 * @ic: the counter
 * @inode: the inode that embeds @ic, named in hung reports
 *
 * netfs_iocount_wait() for a counter whose owner is an inode: a hung
 * report names the superblock (s_id) and the inode number.
 *
 * Context: process context; may sleep.
 */
void netfs_iocount_wait_inode(struct netfs_iocount *ic,
			      const struct inode *inode)
{
	netfs_iocount_sleep(ic, inode, TASK_UNINTERRUPTIBLE,
			    MAX_SCHEDULE_TIMEOUT);
}
EXPORT_SYMBOL_GPL(netfs_iocount_wait_inode);

/**
 * netfs_iocount_wait_killable - wait until no request is outstanding, or a
 * fatal signal arrives
 * @ic: the counter
 *
 * Like netfs_iocount_wait(), but a fatal signal ends the wait, so that a
 * count that never drains does not make an unkillable task.  For syscall
 * paths that can return an error; eviction cannot, and must use
 * netfs_iocount_wait().
 *
 * Context: process context; may sleep.
 * Return: 0 once the count is zero, or -ERESTARTSYS on a fatal signal.
 */
int netfs_iocount_wait_killable(struct netfs_iocount *ic)
{
	long ret = netfs_iocount_sleep(ic, NULL, TASK_KILLABLE,
				       MAX_SCHEDULE_TIMEOUT);

	return ret < 0 ? ret : 0;
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
	return netfs_iocount_sleep(ic, NULL, TASK_UNINTERRUPTIBLE, timeout);
}
EXPORT_SYMBOL_GPL(netfs_iocount_wait_timeout);
