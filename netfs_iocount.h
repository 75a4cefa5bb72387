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
 * or reports lives in netfs_iocount.c.
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
 * @count: requests begun and not yet ended; never left below zero
 *
 * Embed it in the object whose teardown must wait for I/O, usually the
 * filesystem's inode.  It is exactly the size of an atomic_t; debug features
 * keep their state elsewhere and never grow it.
 */
struct netfs_iocount {
	atomic_t count;
};

/**
 * struct netfs_iocount_stats - library-wide counters
 * @waits: calls to any netfs_iocount_wait*() function
 * @waits_slept: those that found I/O outstanding and had to sleep
 * @slept_ns: total time those slept
 * @slept_ns_max: the longest single sleep
 * @hung_warnings: times a wait passed the hung_warn_secs threshold
 * @underflows: netfs_iocount_end() calls without a matching begin
 * @begins: netfs_iocount_begin() calls while statistics were on
 * @ends: netfs_iocount_end() calls while statistics were on
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
void netfs_iocount_request_begin(struct netfs_io_request *rreq,
				 struct netfs_iocount *ic);
void netfs_iocount_request_end(struct netfs_io_request *rreq,
			       struct netfs_iocount *ic);
void netfs_iocount_stats_read(struct netfs_iocount_stats *stats);
void netfs_iocount_set_tracking(bool on);
void netfs_iocount_set_stats(bool on);
int netfs_iocount_set_hung_warn_secs(unsigned int secs);

/* Slow paths of the inline functions below; not for direct use. */
DECLARE_STATIC_KEY_FALSE(netfs_iocount_debug_key);
void netfs_iocount_debug_begin(struct netfs_iocount *ic, unsigned long caller);
void netfs_iocount_debug_end(struct netfs_iocount *ic, int left,
			     unsigned long caller);
void netfs_iocount_underflow(struct netfs_iocount *ic, unsigned long caller);

/*
 * Fault switches for the negative controls of the test suite: each breaks
 * one guarantee on purpose so that `make check` can show the suite catching
 * it.  A real build never defines NETFS_IOCOUNT_FAULT, and the compiler
 * removes every branch below.
 */
#define NETFS_IOCOUNT_FAULT_NONE		0
#define NETFS_IOCOUNT_FAULT_NO_WAKE		1 /* end never wakes */
#define NETFS_IOCOUNT_FAULT_WAKE_BEFORE_DEC	2 /* end wakes, then decrements */
#define NETFS_IOCOUNT_FAULT_EARLY_RETURN	3 /* wait returns at one */
#define NETFS_IOCOUNT_FAULT_NO_UNDERFLOW_CHECK	4 /* end goes below zero */
#define NETFS_IOCOUNT_FAULT_NO_HUNG_WARNING	5 /* a hung wait stays silent */
#define NETFS_IOCOUNT_FAULT_DROP_TRACKING	6 /* begins are not recorded */
#ifndef NETFS_IOCOUNT_FAULT
#define NETFS_IOCOUNT_FAULT NETFS_IOCOUNT_FAULT_NONE
#endif
#define netfs_iocount_fault(f) \
	(NETFS_IOCOUNT_FAULT_##f == NETFS_IOCOUNT_FAULT)

/**
 * netfs_iocount_begin - account the start of an I/O request
 * @ic: the counter of the object the request belongs to
 *
 * Call it once the request exists and nothing left in its setup can fail, so
 * that a failed allocation leaves nothing to end.  Pairs with exactly one
 * netfs_iocount_end().  Any context; no locks needed.
 */
static __always_inline void netfs_iocount_begin(struct netfs_iocount *ic)
{
	atomic_inc(&ic->count);
	if (static_branch_unlikely(&netfs_iocount_debug_key))
		netfs_iocount_debug_begin(ic, _THIS_IP_);
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
 * reaches zero.  An end without a begin is reported and undone.
 * Any context; no locks needed.
 */
static __always_inline void netfs_iocount_end(struct netfs_iocount *ic)
{
	int left;

	if (netfs_iocount_fault(WAKE_BEFORE_DEC))
		wake_up_var(&ic->count);
	/* Fully ordered, like atomic_dec_and_test(), and tells us below zero. */
	left = atomic_dec_return(&ic->count);
	/* Uses @ic as a key only: the owner may be gone already. */
	if (static_branch_unlikely(&netfs_iocount_debug_key))
		netfs_iocount_debug_end(ic, left, _THIS_IP_);
	if (likely(left > 0))
		return;
	if (left == 0) {
		if (!netfs_iocount_fault(NO_WAKE) &&
		    !netfs_iocount_fault(WAKE_BEFORE_DEC))
			wake_up_var(&ic->count);
	} else if (!netfs_iocount_fault(NO_UNDERFLOW_CHECK)) {
		netfs_iocount_underflow(ic, _THIS_IP_);
	}
}

/**
 * netfs_iocount_read - the number of outstanding requests
 * @ic: the counter
 *
 * A snapshot for reports and tests; it may be stale by the time it returns.
 * Return: the count; negative only for the instant an underflow is undone.
 */
static inline int netfs_iocount_read(const struct netfs_iocount *ic)
{
	return atomic_read(&ic->count);
}

#endif /* _NETFS_IOCOUNT_H */
