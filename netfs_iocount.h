/* SPDX-License-Identifier: GPL-2.0 */
/*
 * netfs_iocount: per-inode count of outstanding I/O requests.
 *
 * A network filesystem begins the count when it allocates a request and ends
 * it as the very last thing its request free path does; ->evict_inode waits
 * for the count to drain before clear_inode(), so nothing the free path
 * touches (the inode, the per-mount client) goes away under it.
 *
 * The hot path is inline and costs one atomic read-modify-write each way,
 * plus a branch patched out at run time while no debug feature (tracking,
 * statistics, the begin/end trace events) is on.  Everything that sleeps
 * or reports lives in netfs_iocount_core.c and netfs_iocount_*.c.
 */
#ifndef _NETFS_IOCOUNT_H
#define _NETFS_IOCOUNT_H

#include <linux/atomic.h>
#include <linux/compiler.h>
#include <linux/jump_label.h>
#include <linux/types.h>
#include <linux/wait_bit.h>

#include "netfs_iocount_compat.h"

struct inode;
struct netfs_io_request;

/**
 * struct netfs_iocount - count of outstanding I/O requests
 * @count: requests begun and not yet ended; never below zero
 *
 * Embed it in the object whose teardown must wait for I/O, usually the
 * filesystem's inode.  It is exactly the size of an atomic_t, and
 * layout-compatible with one; debug features keep their state elsewhere and
 * never grow it.
 */
struct netfs_iocount {
	atomic_t count;
};

static_assert(sizeof(struct netfs_iocount) == sizeof(atomic_t));

#ifdef NETFS_IOCOUNT_HAVE_NETFS_IO_COUNT
/**
 * netfs_inode_iocount - netfs's own count of an inode's requests, as ours
 * @ctx: the inode's struct netfs_inode
 *
 * Since Linux 6.10 netfs counts an inode's outstanding requests itself, in
 * @ctx->io_count: it raises the count once ->init_request has succeeded and
 * lowers it, waking waiters on its address with wake_up_var(), after
 * ->free_request has returned.  A filesystem there keeps no count of its
 * own: it passes this to the waits (netfs_iocount_evict_inode() and the
 * netfs_iocount_wait*() family), which then sleep on netfs's counter and
 * are woken by netfs.  It must not call netfs_iocount_begin() or
 * netfs_iocount_end() on it: netfs's own decrement does not know about
 * this library's underflow check.  Declared only where struct netfs_inode
 * has io_count.
 *
 * Return: @ctx->io_count as a struct netfs_iocount.
 */
#define netfs_inode_iocount(ctx) \
	container_of(&(ctx)->io_count, struct netfs_iocount, count)
#endif

/**
 * struct netfs_iocount_stats - library-wide counters
 * @waits: calls to any netfs_iocount_wait*() function (statistics on)
 * @waits_slept: those that found I/O outstanding and slept (statistics on)
 * @slept_ns: total time those slept (statistics on)
 * @slept_ns_max: the longest single sleep (statistics on)
 * @hung_warnings: reports of a wait asleep past hung_warn_secs
 * @underflows: netfs_iocount_end() calls that found the count at zero
 * @begins: netfs_iocount_begin() calls (statistics on)
 * @ends: netfs_iocount_end() calls (statistics on)
 * @tracked: requests recorded by tracking and not ended yet
 * @untracked: begins tracking could not record (no memory)
 */
struct netfs_iocount_stats {
	u64 waits;
	u64 waits_slept;
	u64 slept_ns;
	u64 slept_ns_max;
	u64 hung_warnings;
	u64 underflows;
	u64 begins;
	u64 ends;
	u64 tracked;
	u64 untracked;
};

void netfs_iocount_init(struct netfs_iocount *ic);
void netfs_iocount_wait(struct netfs_iocount *ic);
int netfs_iocount_wait_killable(struct netfs_iocount *ic);
long netfs_iocount_wait_timeout(struct netfs_iocount *ic, long timeout);
void netfs_iocount_wait_inode(struct netfs_iocount *ic,
			      const struct inode *inode);
void netfs_iocount_evict_inode(struct inode *inode, struct netfs_iocount *ic);

#ifndef NETFS_IOCOUNT_HAVE_NETFS_IO_COUNT
/* The glue (9p_glue.c): where netfs keeps no count (before 6.10) */
void netfs_iocount_request_begin(struct netfs_io_request *rreq,
				 struct netfs_iocount *ic);
void netfs_iocount_request_end(struct netfs_io_request *rreq,
			       struct netfs_iocount *ic);
#endif
void netfs_iocount_stats_read(struct netfs_iocount_stats *stats);
void netfs_iocount_set_tracking(bool on);
void netfs_iocount_set_stats(bool on);
int netfs_iocount_set_hung_warn_secs(unsigned int secs);

/* Slow paths of the inline functions below; not for direct use. */
DECLARE_STATIC_KEY_FALSE(netfs_iocount_debug_key);
void netfs_iocount_debug_begin(struct netfs_iocount *ic, const void *req,
			       unsigned long caller);
void netfs_iocount_debug_end(struct netfs_iocount *ic, const void *req,
			     unsigned long caller);
void netfs_iocount_debug_ended(struct netfs_iocount *ic, int left,
			       unsigned long caller);
void netfs_iocount_underflow(struct netfs_iocount *ic, unsigned long caller);

/**
 * __netfs_iocount_begin - netfs_iocount_begin() on behalf of a request
 * @ic: the counter of the object the request belongs to
 * @req: the request, so that tracking can pair this begin with its end;
 *	NULL if there is none
 * @caller: the address tracking names as the beginner
 *
 * For glue code that has a request to key tracking by (see
 * netfs_iocount_request_begin()); otherwise use netfs_iocount_begin().
 */
static __always_inline void __netfs_iocount_begin(struct netfs_iocount *ic,
						  const void *req,
						  unsigned long caller)
{
	atomic_inc(&ic->count);
	if (static_branch_unlikely(&netfs_iocount_debug_key))
		netfs_iocount_debug_begin(ic, req, caller);
}

/**
 * __netfs_iocount_end - netfs_iocount_end() on behalf of a request
 * @ic: the counter passed to __netfs_iocount_begin()
 * @req: the request passed to __netfs_iocount_begin(), or NULL
 * @caller: the address an underflow report names
 *
 * The decrement never takes the count below zero: an end that finds it at
 * zero stores nothing and is reported instead, so there is nothing to undo
 * and no window in which the count is wrong for anyone else.
 */
static __always_inline void __netfs_iocount_end(struct netfs_iocount *ic,
						const void *req,
						unsigned long caller)
{
	int old;

	if (static_branch_unlikely(&netfs_iocount_debug_key))
		netfs_iocount_debug_end(ic, req, caller);
	/* Fully ordered when it decrements, like atomic_dec_and_test(). */
	old = atomic_fetch_add_unless(&ic->count, -1, 0);
	/* From here on @ic is a key only: its owner may be gone already. */
	if (static_branch_unlikely(&netfs_iocount_debug_key))
		netfs_iocount_debug_ended(ic, old - 1, caller);
	if (likely(old > 1))
		return;
	if (likely(old == 1))
		wake_up_var(&ic->count);
	else
		netfs_iocount_underflow(ic, caller);
}

/**
 * netfs_iocount_begin - account the start of an I/O request
 * @ic: the counter of the object the request belongs to
 *
 * Call it once the request exists and nothing left in its setup can fail, so
 * that a failed allocation leaves nothing to end.  Pairs with exactly one
 * netfs_iocount_end().
 *
 * Context: Any context but NMI; the caller needs to hold no lock.  With
 * every debug feature off it is one atomic increment.  With tracking on it
 * also allocates a record (GFP_NOWAIT) and takes a spinlock of the
 * library's with interrupts off; with statistics or the trace event on, it
 * counts or traces too.
 */
static __always_inline void netfs_iocount_begin(struct netfs_iocount *ic)
{
	__netfs_iocount_begin(ic, NULL, _THIS_IP_);
}

/**
 * netfs_iocount_end - account the end of an I/O request
 * @ic: the counter passed to netfs_iocount_begin()
 *
 * Must be the caller's last access to the object that embeds @ic: once the
 * count reaches zero a waiter may free that object.  The decrement is fully
 * ordered, so everything the caller did before it is visible to a waiter
 * that sees the count drain, and it orders the decrement before the check
 * for waiters in wake_up_var().  Waiters are woken only when the count
 * reaches zero.
 *
 * An end that finds the count at zero (an end without a begin) changes
 * nothing and is reported with its caller.  No counter can tell a spurious
 * end from a real one while requests are outstanding: such an end takes the
 * count of another request, and a waiter may return before that request
 * ends.
 *
 * Context: Any context but NMI; the caller needs to hold no lock.  With
 * every debug feature off it is one atomic decrement and, when that drains
 * the count with a task waiting, the wake-up, which takes the spinlock of
 * a hashed wait queue.  With tracking on it also takes a spinlock of the
 * library's with interrupts off, to drop the request's record.
 */
static __always_inline void netfs_iocount_end(struct netfs_iocount *ic)
{
	__netfs_iocount_end(ic, NULL, _THIS_IP_);
}

/**
 * netfs_iocount_read - the number of outstanding requests
 * @ic: the counter
 *
 * A snapshot for reports and tests; it may be stale by the time it returns.
 * Return: the count, never negative.
 */
static inline int netfs_iocount_read(const struct netfs_iocount *ic)
{
	return atomic_read(&ic->count);
}

#endif /* _NETFS_IOCOUNT_H */
