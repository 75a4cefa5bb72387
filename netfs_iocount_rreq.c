// SPDX-License-Identifier: GPL-2.0
/*
 * netfs_iocount: records of netfs's own requests (6.10+, track_netfs=1).
 *
 * On a kernel whose netfs counts an inode's requests itself (io_count),
 * netfs_iocount_attach.c feeds this file three events per request:
 * allocated (io_count has just been raised for it), freeing (netfs has
 * begun to free it; ->free_request has yet to run) and freed (netfs hands
 * its memory back, an RCU grace period after io_count was lowered).  From
 * the first to the last the request has a record, which the watchdog
 * reports and debugfs lists.  A fourth event, a task starting to wait on
 * an inode's io_count (eviction, or one of cifs's syscalls), marks the
 * records of that inode as waited on, and a fifth, netfs waking the
 * waiters of an io_count that has reached zero, marks the records of that
 * inode already in their free path as drained: past their decrement, they
 * wait only for their RCU callback, which may come seconds later
 * (CONFIG_RCU_LAZY), and are no stall.
 *
 * Whatever a report prints is copied into the record when the request is
 * allocated: that is when the request and its inode are known to be alive
 * (netfs_alloc_request() has just raised the inode's io_count, and
 * eviction waits for io_count to drain before the inode can be freed).
 * Afterwards the record keeps addresses as keys only and dereferences none
 * of them: it outlives the decrement of io_count by a grace period, by
 * which time the inode may be gone.
 *
 * Events come from any context (requests are freed by RCU callbacks, and
 * the wait hook sees every wait_var_event() in the kernel), so one
 * spinlock, taken with interrupts off, protects both indexes of the
 * records: by request and by counter.  It is a leaf: nothing is allocated,
 * printed or formatted under it, and no other lock is taken.  The wait and
 * wake hooks run for every wait_var_event() and wake_up_var() of the
 * kernel, nearly all on addresses that are no io_count: they look the
 * counter up under RCU first, and take the lock only on a match; so
 * records are freed after a grace period.
 *
 * A request allocated at the address of a record still there means the
 * old request's free was missed: the old record is replaced, and counted.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/hashtable.h>
#include <linux/jiffies.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>

#include "netfs_iocount_internal.h"

#define RREQ_HASH_BITS	8

/* Both indexes; every record is on one chain of each. */
static DEFINE_SPINLOCK(rreq_lock);
static DEFINE_HASHTABLE(rreq_by_req, RREQ_HASH_BITS);
static DEFINE_HASHTABLE(rreq_by_counter, RREQ_HASH_BITS);
static atomic_t nr_rreqs = ATOMIC_INIT(0);
static atomic_long_t nr_unrecorded = ATOMIC_LONG_INIT(0);
static atomic_long_t nr_replaced = ATOMIC_LONG_INIT(0);
static struct kmem_cache *rreq_cache;

/* A record and its place in the indexes. */
struct rreq_entry {
	struct hlist_node by_req;
	struct hlist_node by_counter;
	struct rcu_head rcu;
	struct netfs_iocount_rreq r;
};

static void rreq_entry_free_rcu(struct rcu_head *rcu)
{
	kmem_cache_free(rreq_cache, container_of(rcu, struct rreq_entry, rcu));
}

/* Take @e out of both indexes.  Called with rreq_lock held. */
static void rreq_unlink(struct rreq_entry *e)
{
	hash_del_rcu(&e->by_req);
	hash_del_rcu(&e->by_counter);
	atomic_dec(&nr_rreqs);
	call_rcu(&e->rcu, rreq_entry_free_rcu);
}

/**
 * netfs_iocount_rreq_count - how many netfs requests have a record
 *
 * Return: the number of records; a snapshot.
 */
unsigned int netfs_iocount_rreq_count(void)
{
	return atomic_read(&nr_rreqs);
}

/**
 * netfs_iocount_rreq_unrecorded - allocations no record could be made for
 *
 * Return: how many allocations went unrecorded since tracking began
 * (no memory, or netfs's entry probe ran out of instances).
 */
unsigned long netfs_iocount_rreq_unrecorded(void)
{
	return atomic_long_read(&nr_unrecorded);
}

/**
 * netfs_iocount_rreq_replaced - records a new request at their address replaced
 *
 * Return: how many records were dropped since tracking began because
 * their request's address was allocated again: the free of the request
 * they described was missed.
 */
unsigned long netfs_iocount_rreq_replaced(void)
{
	return atomic_long_read(&nr_replaced);
}

/**
 * netfs_iocount_rreq_lost - count an allocation that left no record
 */
void netfs_iocount_rreq_lost(void)
{
	atomic_long_inc(&nr_unrecorded);
}

/* The record of @rreq, or NULL.  Called with rreq_lock held. */
static struct rreq_entry *rreq_find(const void *rreq)
{
	struct rreq_entry *e;

	hash_for_each_possible(rreq_by_req, e, by_req, (unsigned long)rreq)
		if (e->r.rreq == rreq)
			return e;
	return NULL;
}

/*
 * Whether a record of @counter may exist: a lookup under RCU, so that an
 * address that is no io_count costs no lock.  A record added meanwhile may
 * be missed, as it would be had the event come a moment earlier.
 */
static bool rreq_counter_known(const void *counter)
{
	struct rreq_entry *e;
	bool found = false;

	rcu_read_lock();
	hash_for_each_possible_rcu(rreq_by_counter, e, by_counter,
				   (unsigned long)counter) {
		if (e->r.counter == counter) {
			found = true;
			break;
		}
	}
	rcu_read_unlock();
	return found;
}

/**
 * netfs_iocount_rreq_alloced - record a request netfs has just allocated
 * @proto: the record, filled in by the caller while the request and its
 *	inode are alive
 *
 * Context: any; does not sleep.
 */
void netfs_iocount_rreq_alloced(const struct netfs_iocount_rreq *proto)
{
	struct rreq_entry *e, *stale;
	unsigned long flags;

	e = kmem_cache_alloc(rreq_cache, GFP_NOWAIT | __GFP_NOWARN);
	if (!e) {
		netfs_iocount_rreq_lost();
		return;
	}
	e->r = *proto;
	spin_lock_irqsave(&rreq_lock, flags);
	stale = rreq_find(e->r.rreq);
	if (stale) {
		rreq_unlink(stale);
		atomic_long_inc(&nr_replaced);
	}
	hash_add_rcu(rreq_by_req, &e->by_req, (unsigned long)e->r.rreq);
	hash_add_rcu(rreq_by_counter, &e->by_counter,
		     (unsigned long)e->r.counter);
	atomic_inc(&nr_rreqs);
	spin_unlock_irqrestore(&rreq_lock, flags);
}

/**
 * netfs_iocount_rreq_freeing - note that netfs has begun to free a request
 * @rreq: the request
 *
 * Context: any; does not sleep.
 */
void netfs_iocount_rreq_freeing(const void *rreq)
{
	struct rreq_entry *e;
	unsigned long flags;

	if (!atomic_read(&nr_rreqs))
		return;
	spin_lock_irqsave(&rreq_lock, flags);
	e = rreq_find(rreq);
	if (e && !e->r.freeing) {
		e->r.freeing = true;
		e->r.freeing_at = jiffies;
	}
	spin_unlock_irqrestore(&rreq_lock, flags);
}

/**
 * netfs_iocount_rreq_freed - drop the record of a request netfs has freed
 * @rreq: the request; a key only, its memory is on its way back
 *
 * A request allocated before tracking began has no record: nothing to do.
 *
 * Context: any; does not sleep.
 */
void netfs_iocount_rreq_freed(const void *rreq)
{
	struct rreq_entry *e;
	unsigned long flags;

	if (!atomic_read(&nr_rreqs))
		return;
	spin_lock_irqsave(&rreq_lock, flags);
	e = rreq_find(rreq);
	if (e)
		rreq_unlink(e);
	spin_unlock_irqrestore(&rreq_lock, flags);
}

/**
 * netfs_iocount_rreq_waited - note a task starting to wait on a counter
 * @counter: the address a wait_var_event() is about to sleep on
 *
 * Every wait_var_event() and wake_up_var() in the kernel made in task
 * context comes through here while tracking is on, so an address that is
 * no inode's io_count costs a lockless lookup and nothing else.  Records
 * already drained are past their decrement: a wait does not mark them.
 *
 * Context: task context (current is the waiter); does not sleep.  Takes
 * no lock of current's: the caller may have interrupted it holding any.
 */
void netfs_iocount_rreq_waited(const void *counter)
{
	char comm[TASK_COMM_LEN];
	struct rreq_entry *e;
	unsigned long flags;

	if (!atomic_read(&nr_rreqs) || !rreq_counter_known(counter))
		return;
	netfs_iocount_current_comm(comm);
	spin_lock_irqsave(&rreq_lock, flags);
	hash_for_each_possible(rreq_by_counter, e, by_counter,
			       (unsigned long)counter) {
		if (e->r.counter != counter || e->r.waited || e->r.drained)
			continue;
		e->r.waited = true;
		e->r.waited_at = jiffies;
		e->r.waiter_pid = task_pid_nr(current);
		strscpy(e->r.waiter, comm, sizeof(e->r.waiter));
	}
	spin_unlock_irqrestore(&rreq_lock, flags);
}

/**
 * netfs_iocount_rreq_drained - note that netfs woke a counter's waiters
 * @counter: the address of a wake_up_var()
 *
 * netfs calls wake_up_var() on an io_count when it has reached zero, so
 * every request of that inode in its free path is past its decrement.
 * Those records are marked drained and no longer waited on: they are no
 * stall.  A record not yet freeing is left alone: its request may have
 * been allocated after the count reached zero.  (One allocated after that,
 * and already freeing when the waker gets here, is marked too: the window
 * is the waker's path from the decrement to this call.)
 *
 * Context: any; does not sleep.
 */
void netfs_iocount_rreq_drained(const void *counter)
{
	struct rreq_entry *e;
	unsigned long flags;

	if (!atomic_read(&nr_rreqs) || !rreq_counter_known(counter))
		return;
	spin_lock_irqsave(&rreq_lock, flags);
	hash_for_each_possible(rreq_by_counter, e, by_counter,
			       (unsigned long)counter) {
		if (e->r.counter != counter || !e->r.freeing)
			continue;
		e->r.drained = true;
		e->r.waited = false;
	}
	spin_unlock_irqrestore(&rreq_lock, flags);
}

/*
 * Whether @r is due a watchdog report: outstanding @any jiffies, or
 * waited on for @waited jiffies, and not drained.
 */
static bool rreq_due(const struct netfs_iocount_rreq *r, unsigned long now,
		     unsigned long any, unsigned long waited)
{
	if (r->reported || r->drained)
		return false;
	if (time_after_eq(now, r->start + any))
		return true;
	return r->waited && time_after_eq(now, r->waited_at + waited);
}

/**
 * netfs_iocount_rreq_due - the records due a watchdog report
 * @out: where to copy them
 * @max: room in @out
 * @any: report a request outstanding this many jiffies
 * @waited: report a request whose inode has been waited on this long
 *
 * Copies only: a record stays due until netfs_iocount_rreq_reported()
 * says it was printed, so that a report the rate limit held back is made
 * at a later scan instead of being lost.
 *
 * Return: how many were copied.
 */
unsigned int netfs_iocount_rreq_due(struct netfs_iocount_rreq *out,
				    unsigned int max, unsigned long any,
				    unsigned long waited)
{
	unsigned long flags, now = jiffies;
	struct rreq_entry *e;
	unsigned int n = 0;
	int bkt;

	spin_lock_irqsave(&rreq_lock, flags);
	hash_for_each(rreq_by_req, bkt, e, by_req) {
		if (n == max)
			break;
		if (rreq_due(&e->r, now, any, waited))
			out[n++] = e->r;
	}
	spin_unlock_irqrestore(&rreq_lock, flags);
	return n;
}

/**
 * netfs_iocount_rreq_reported - mark a record as reported by the watchdog
 * @r: a copy from netfs_iocount_rreq_due(), just printed
 *
 * The record is found by request and netfs's debug_id, so that a new
 * request at the address of one freed since the copy is not marked.
 */
void netfs_iocount_rreq_reported(const struct netfs_iocount_rreq *r)
{
	struct rreq_entry *e;
	unsigned long flags;

	spin_lock_irqsave(&rreq_lock, flags);
	e = rreq_find(r->rreq);
	if (e && e->r.debug_id == r->debug_id)
		e->r.reported = true;
	spin_unlock_irqrestore(&rreq_lock, flags);
}

/**
 * netfs_iocount_rreq_snapshot - copy records
 * @counter: only the records of this counter; NULL for all
 * @out: where to copy them, or NULL to count only
 * @max: room in @out
 *
 * Return: how many records matched, which may exceed @max.
 */
unsigned int netfs_iocount_rreq_snapshot(const void *counter,
					 struct netfs_iocount_rreq *out,
					 unsigned int max)
{
	struct rreq_entry *e;
	unsigned long flags;
	unsigned int n = 0;
	int bkt;

	spin_lock_irqsave(&rreq_lock, flags);
	hash_for_each(rreq_by_req, bkt, e, by_req) {
		if (counter && e->r.counter != counter)
			continue;
		if (out && n < max)
			out[n] = e->r;
		n++;
	}
	spin_unlock_irqrestore(&rreq_lock, flags);
	return n;
}

/**
 * netfs_iocount_rreq_purge - drop every record
 *
 * Context: process context, once nothing can add a record any more.
 */
void netfs_iocount_rreq_purge(void)
{
	struct rreq_entry *e;
	struct hlist_node *tmp;
	unsigned long flags;
	int bkt;

	spin_lock_irqsave(&rreq_lock, flags);
	hash_for_each_safe(rreq_by_req, bkt, tmp, e, by_req)
		rreq_unlink(e);
	spin_unlock_irqrestore(&rreq_lock, flags);
	atomic_long_set(&nr_unrecorded, 0);
	atomic_long_set(&nr_replaced, 0);
}

/**
 * netfs_iocount_rreq_init - set up the record store
 *
 * Return: 0, or -ENOMEM.
 */
int netfs_iocount_rreq_init(void)
{
	rreq_cache = KMEM_CACHE(rreq_entry, 0);
	return rreq_cache ? 0 : -ENOMEM;
}

/*
 * Module exit: the switch is closed and the probes detached for good, so
 * nothing adds a record any more; whatever is left goes, and its RCU
 * callbacks (into this module) run, before the cache.
 */
void netfs_iocount_rreq_exit(void)
{
	netfs_iocount_rreq_purge();
	rcu_barrier();
	kmem_cache_destroy(rreq_cache);
}
