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
 *
 * Diagnostics.  Upstream's wait is uninterruptible, silent and unbounded:
 * when a request reference leaks, tasks hang in eviction with nothing
 * saying why.  Here a wait sleeps in slices of hung_warn_secs; each slice
 * that ends with I/O still outstanding logs (rate-limited) the waiting
 * task, the owner (superblock and inode for eviction), how long it has
 * waited and the count, then goes on waiting.  Tracking mode records every
 * begin with its caller, a short stack trace and its start time in a side
 * table keyed by the counter's address, so struct netfs_iocount stays four
 * bytes; the warning then lists the oldest outstanding requests, and
 * debugfs lists them all.  An end cannot tell which begin it pairs with, so
 * it drops the newest record (a leaked begin is thus the one left at the
 * bottom), and a count that drains to zero drops them all.  Statistics and
 * trace events complete the picture.  Every debug feature sits behind one
 * static key that begin and end test: while all are off the hot path is
 * the atomics and a patched-out branch.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/build_bug.h>
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/hash.h>
#include <linux/jiffies.h>
#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/printk.h>
#include <linux/ratelimit.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/stacktrace.h>
#include <linux/wait_bit.h>

#include "netfs_iocount.h"

#define CREATE_TRACE_POINTS
#include "netfs_iocount_trace.h"

EXPORT_TRACEPOINT_SYMBOL_GPL(netfs_iocount_begin);
EXPORT_TRACEPOINT_SYMBOL_GPL(netfs_iocount_end);
EXPORT_TRACEPOINT_SYMBOL_GPL(netfs_iocount_underflow);
EXPORT_TRACEPOINT_SYMBOL_GPL(netfs_iocount_wait_start);
EXPORT_TRACEPOINT_SYMBOL_GPL(netfs_iocount_wait_end);
EXPORT_TRACEPOINT_SYMBOL_GPL(netfs_iocount_hung);

/* Longest hung_warn_secs: a day, far beyond any sane hung-task timeout. */
#define NETFS_IOCOUNT_HUNG_WARN_MAX	(24 * 60 * 60)
/* Stack frames kept per tracked request. */
#define NETFS_IOCOUNT_STACK_DEPTH	8
/* Outstanding requests a hung warning lists, oldest first. */
#define NETFS_IOCOUNT_WARN_RECORDS	3
#define NETFS_IOCOUNT_TRACK_BITS	8

/*
 * One static key gates every debug feature in the hot path; each feature
 * that is on holds one reference on it.
 */
DEFINE_STATIC_KEY_FALSE(netfs_iocount_debug_key);
EXPORT_SYMBOL_GPL(netfs_iocount_debug_key);

/* Serialises the feature switches (parameters and trace registration). */
static DEFINE_MUTEX(netfs_iocount_switch_lock);

static unsigned int hung_warn_secs = 30;
static bool track;
static bool stats;

static atomic64_t nr_waits = ATOMIC64_INIT(0);
static atomic64_t nr_waits_slept = ATOMIC64_INIT(0);
static atomic64_t slept_ns_total = ATOMIC64_INIT(0);
static atomic64_t slept_ns_max = ATOMIC64_INIT(0);
static atomic64_t nr_hung_warnings = ATOMIC64_INIT(0);
static atomic64_t nr_underflows = ATOMIC64_INIT(0);
static atomic64_t nr_tracked = ATOMIC64_INIT(0);
static atomic64_t nr_untracked = ATOMIC64_INIT(0);
static DEFINE_PER_CPU(u64, nr_begins);
static DEFINE_PER_CPU(u64, nr_ends);

static DEFINE_RATELIMIT_STATE(hung_warn_ratelimit, 5 * HZ, 10);

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

/* ---- Tracking: a side table of outstanding requests per counter ---- */

struct netfs_iocount_record {
	struct list_head link;		/* in netfs_iocount_track.records */
	unsigned long caller;
	unsigned long start;		/* jiffies */
	unsigned int nr_entries;
	unsigned long entries[NETFS_IOCOUNT_STACK_DEPTH];
};

/* The recorded requests of one counter, newest first. */
struct netfs_iocount_track {
	struct hlist_node node;
	const struct netfs_iocount *ic;
	struct list_head records;
	unsigned int nr;
};

static struct netfs_iocount_track_bucket {
	spinlock_t lock;		/* protects head and all below it */
	struct hlist_head head;
} track_table[1 << NETFS_IOCOUNT_TRACK_BITS];

static struct kmem_cache *record_cache;

static struct netfs_iocount_track_bucket *
track_bucket(const struct netfs_iocount *ic)
{
	return &track_table[hash_ptr(ic, NETFS_IOCOUNT_TRACK_BITS)];
}

static struct netfs_iocount_track *
track_find(struct netfs_iocount_track_bucket *b, const struct netfs_iocount *ic)
{
	struct netfs_iocount_track *t;

	hlist_for_each_entry(t, &b->head, node)
		if (t->ic == ic)
			return t;
	return NULL;
}

static void record_free(struct netfs_iocount_record *r)
{
	list_del(&r->link);
	kmem_cache_free(record_cache, r);
	atomic64_dec(&nr_tracked);
}

static void track_free(struct netfs_iocount_track *t)
{
	struct netfs_iocount_record *r, *next;

	list_for_each_entry_safe(r, next, &t->records, link)
		record_free(r);
	hlist_del(&t->node);
	kfree(t);
}

/*
 * Save the stack from the first frame outside this module, whatever got
 * inlined or tail-called on the way here.
 */
static unsigned int stack_trace_save_outside(unsigned long *store,
					     unsigned int size)
{
	unsigned long all[NETFS_IOCOUNT_STACK_DEPTH + 8];
	unsigned int nr, skip = 0;

	nr = stack_trace_save(all, ARRAY_SIZE(all), 0);
	while (skip < nr && within_module(all[skip], THIS_MODULE))
		skip++;
	nr = min(nr - skip, size);
	memcpy(store, all + skip, nr * sizeof(*store));
	return nr;
}

static struct netfs_iocount_record *record_new(unsigned long caller)
{
	struct netfs_iocount_record *r;

	r = kmem_cache_alloc(record_cache, GFP_ATOMIC | __GFP_NOWARN);
	if (!r)
		return NULL;
	r->caller = caller;
	r->start = jiffies;
	r->nr_entries = stack_trace_save_outside(r->entries,
						 ARRAY_SIZE(r->entries));
	return r;
}

/*
 * Record a begin.  @track is re-read under the bucket lock: switching
 * tracking off clears it before purging each bucket under its lock, so a
 * record is either purged or never inserted.
 */
static void track_begin(struct netfs_iocount *ic, unsigned long caller)
{
	struct netfs_iocount_track_bucket *b = track_bucket(ic);
	struct netfs_iocount_track *t, *fresh;
	struct netfs_iocount_record *r;
	unsigned long flags;

	r = record_new(caller);
	fresh = kmalloc(sizeof(*fresh), GFP_ATOMIC | __GFP_NOWARN);
	spin_lock_irqsave(&b->lock, flags);
	if (!READ_ONCE(track) || netfs_iocount_fault(DROP_TRACKING))
		goto out;
	t = track_find(b, ic);
	if (!t && fresh) {
		t = fresh;
		fresh = NULL;
		t->ic = ic;
		t->nr = 0;
		INIT_LIST_HEAD(&t->records);
		hlist_add_head(&t->node, &b->head);
	}
	if (!t || !r) {
		atomic64_inc(&nr_untracked);
		goto out;
	}
	list_add(&r->link, &t->records);
	t->nr++;
	atomic64_inc(&nr_tracked);
	r = NULL;
out:
	spin_unlock_irqrestore(&b->lock, flags);
	kfree(fresh);
	if (r)
		kmem_cache_free(record_cache, r);
}

/*
 * Record an end: drop the newest record of @ic, or all of them once the
 * count has drained.  An end whose begin was not recorded finds nothing to
 * drop, which is fine.
 */
static void track_end(struct netfs_iocount *ic, int left)
{
	struct netfs_iocount_track_bucket *b = track_bucket(ic);
	struct netfs_iocount_track *t;
	unsigned long flags;

	spin_lock_irqsave(&b->lock, flags);
	t = track_find(b, ic);
	if (t && left > 0 && t->nr > 1) {
		record_free(list_first_entry(&t->records,
					     struct netfs_iocount_record, link));
		t->nr--;
	} else if (t) {
		track_free(t);
	}
	spin_unlock_irqrestore(&b->lock, flags);
}

static void track_purge(void)
{
	struct netfs_iocount_track *t;
	struct hlist_node *next;
	unsigned long flags;
	int i;

	for (i = 0; i < ARRAY_SIZE(track_table); i++) {
		struct netfs_iocount_track_bucket *b = &track_table[i];

		spin_lock_irqsave(&b->lock, flags);
		hlist_for_each_entry_safe(t, next, &b->head, node)
			track_free(t);
		spin_unlock_irqrestore(&b->lock, flags);
	}
}

/* Print the oldest outstanding requests of @ic, for a hung warning. */
static void track_report_oldest(struct netfs_iocount *ic)
{
	struct netfs_iocount_track_bucket *b = track_bucket(ic);
	struct netfs_iocount_record *r;
	struct netfs_iocount_track *t;
	unsigned long flags;
	unsigned int shown = 0, i;

	spin_lock_irqsave(&b->lock, flags);
	t = track_find(b, ic);
	if (!t) {
		spin_unlock_irqrestore(&b->lock, flags);
		pr_warn("  no outstanding request recorded (tracking was off when they began)\n");
		return;
	}
	list_for_each_entry_reverse(r, &t->records, link) {
		if (shown++ == NETFS_IOCOUNT_WARN_RECORDS)
			break;
		pr_warn("  outstanding for %ums, begun by %pS\n",
			jiffies_to_msecs(jiffies - r->start), (void *)r->caller);
		for (i = 0; i < r->nr_entries; i++)
			pr_warn("    %pS\n", (void *)r->entries[i]);
	}
	pr_warn("  %u request(s) recorded on this counter\n", t->nr);
	spin_unlock_irqrestore(&b->lock, flags);
}

/* ---- The debug slow path of begin and end ---- */

/**
 * netfs_iocount_debug_begin - debug side of netfs_iocount_begin()
 * @ic: the counter just incremented
 * @caller: an address in the function that called netfs_iocount_begin()
 *
 * Called only while a debug feature is on; not for direct use.
 */
void netfs_iocount_debug_begin(struct netfs_iocount *ic, unsigned long caller)
{
	if (READ_ONCE(stats))
		this_cpu_inc(nr_begins);
	if (READ_ONCE(track))
		track_begin(ic, caller);
	trace_netfs_iocount_begin(ic, atomic_read(&ic->count), caller);
}
EXPORT_SYMBOL_GPL(netfs_iocount_debug_begin);

/**
 * netfs_iocount_debug_end - debug side of netfs_iocount_end()
 * @ic: the counter just decremented; used as a key, never dereferenced
 * @left: the count after the decrement
 * @caller: an address in the function that called netfs_iocount_end()
 *
 * Called only while a debug feature is on; not for direct use.
 */
void netfs_iocount_debug_end(struct netfs_iocount *ic, int left,
			     unsigned long caller)
{
	if (READ_ONCE(stats))
		this_cpu_inc(nr_ends);
	if (READ_ONCE(track))
		track_end(ic, left);
	trace_netfs_iocount_end(ic, left, caller);
}
EXPORT_SYMBOL_GPL(netfs_iocount_debug_end);

/* ---- Waiting ---- */

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
 * wait_var_event() for @ic in any task state, for at most @timeout jiffies.
 * Return: >0 once idle (jiffies left, at least 1), 0 on timeout,
 * -ERESTARTSYS on a signal that @state lets in.
 */
static long netfs_iocount_sleep_for(struct netfs_iocount *ic,
				    unsigned int state, long timeout)
{
	return netfs_iocount_wait_var_event(&ic->count, netfs_iocount_idle(ic),
					    state, timeout);
}

/* The longest sleep before a hung warning, in jiffies. */
static long netfs_iocount_warn_slice(void)
{
	unsigned int secs = READ_ONCE(hung_warn_secs);

	return secs ? secs * HZ : MAX_SCHEDULE_TIMEOUT;
}

static void netfs_iocount_warn_hung(struct netfs_iocount *ic,
				    const struct inode *inode,
				    unsigned long start)
{
	unsigned int waited = jiffies_to_msecs(jiffies - start) / MSEC_PER_SEC;
	int count = netfs_iocount_read(ic);

	if (netfs_iocount_fault(NO_HUNG_WARNING))
		return;
	atomic64_inc(&nr_hung_warnings);
	trace_netfs_iocount_hung(ic, count, waited);
	if (!__ratelimit(&hung_warn_ratelimit))
		return;
	if (inode)
		pr_warn("task %s:%d has waited %us for %d outstanding I/O request(s) on inode %lu of %s (counter %p)\n",
			current->comm, task_pid_nr(current), waited, count,
			inode->i_ino, inode->i_sb->s_id, ic);
	else
		pr_warn("task %s:%d has waited %us for %d outstanding I/O request(s) on counter %p\n",
			current->comm, task_pid_nr(current), waited, count, ic);
	if (READ_ONCE(track))
		track_report_oldest(ic);
	else
		pr_warn("  to see who began them: echo 1 > /sys/module/netfs_iocount/parameters/track\n");
}

static void netfs_iocount_account_sleep(s64 ns)
{
	s64 max = atomic64_read(&slept_ns_max);

	atomic64_add(ns, &slept_ns_total);
	while (ns > max && !atomic64_try_cmpxchg(&slept_ns_max, &max, ns))
		;
}

/*
 * The one wait behind every netfs_iocount_wait*(): sleeps in @state until
 * @ic is idle, @timeout passes or a signal that @state lets in arrives,
 * warning each hung_warn_secs it spends asleep.
 * Return: as netfs_iocount_sleep_for() over the whole @timeout.
 */
static long netfs_iocount_sleep(struct netfs_iocount *ic,
				const struct inode *inode,
				unsigned int state, long timeout)
{
	unsigned long start = jiffies;
	u64 start_ns, slept_ns;
	long left = timeout, slice, ret;

	might_sleep();
	atomic64_inc(&nr_waits);
	if (netfs_iocount_idle(ic))
		return max(timeout, 1L);
	atomic64_inc(&nr_waits_slept);
	trace_netfs_iocount_wait_start(ic, netfs_iocount_read(ic));
	start_ns = ktime_get_ns();

	for (;;) {
		slice = netfs_iocount_warn_slice();
		if (left != MAX_SCHEDULE_TIMEOUT)
			slice = min(slice, left);
		ret = netfs_iocount_sleep_for(ic, state, slice);
		if (ret < 0)
			break;
		if (ret > 0) {
			/* Convert what was left of this slice to the whole. */
			if (left != MAX_SCHEDULE_TIMEOUT)
				ret = max(left - (slice - ret), 1L);
			break;
		}
		if (left != MAX_SCHEDULE_TIMEOUT) {
			left -= slice;
			if (!left)
				break;
		}
		netfs_iocount_warn_hung(ic, inode, start);
	}

	slept_ns = ktime_get_ns() - start_ns;
	netfs_iocount_account_sleep(slept_ns);
	trace_netfs_iocount_wait_end(ic, slept_ns, ret);
	return ret;
}

/**
 * netfs_iocount_wait - wait until no request is outstanding
 * @ic: the counter
 *
 * Returns at once when the count is zero; otherwise sleeps uninterruptibly
 * until the last netfs_iocount_end() wakes it.  Once it returns, everything
 * the ended requests did is visible to the caller.  New begins are the
 * caller's business: to wait for quiescence, stop issuing requests first
 * (eviction does, as the inode is unreachable by then).  Every
 * hung_warn_secs spent asleep, it logs who waits on what, and goes on.
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
 * @inode: the inode that embeds @ic, named in hung warnings
 *
 * netfs_iocount_wait() for a counter whose owner is an inode: a hung
 * warning names the superblock (s_id) and the inode number.
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
 * count that never drains does not make an unkillable task.
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

/**
 * netfs_iocount_underflow - report and undo an end without a begin
 * @ic: the counter that went below zero
 * @caller: an address in the function that called netfs_iocount_end()
 *
 * The slow path of netfs_iocount_end(); not for direct use.  It names the
 * caller, puts the count back to where it was and wakes nobody.
 */
void netfs_iocount_underflow(struct netfs_iocount *ic, unsigned long caller)
{
	atomic64_inc(&nr_underflows);
	trace_netfs_iocount_underflow(ic, -1, caller);
	pr_err_ratelimited("underflow: end without begin on counter %p by %pS\n",
			   ic, (void *)caller);
	atomic_inc(&ic->count);
}
EXPORT_SYMBOL_GPL(netfs_iocount_underflow);

static u64 percpu_sum(u64 __percpu *counter)
{
	u64 sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += *per_cpu_ptr(counter, cpu);
	return sum;
}

/**
 * netfs_iocount_stats_read - snapshot the library-wide counters
 * @stats: where to store them
 *
 * Each field is read atomically; the set is not a consistent snapshot.
 */
void netfs_iocount_stats_read(struct netfs_iocount_stats *stats)
{
	stats->waits = atomic64_read(&nr_waits);
	stats->waits_slept = atomic64_read(&nr_waits_slept);
	stats->slept_ns = atomic64_read(&slept_ns_total);
	stats->slept_ns_max = atomic64_read(&slept_ns_max);
	stats->hung_warnings = atomic64_read(&nr_hung_warnings);
	stats->underflows = atomic64_read(&nr_underflows);
	stats->begins = percpu_sum(&nr_begins);
	stats->ends = percpu_sum(&nr_ends);
	stats->tracked = atomic64_read(&nr_tracked);
	stats->untracked = atomic64_read(&nr_untracked);
}
EXPORT_SYMBOL_GPL(netfs_iocount_stats_read);

/* ---- Switches: module parameters and trace event registration ---- */

/* Turn a feature flag on or off, holding the debug key while it is on. */
static void netfs_iocount_switch(bool *flag, bool on)
{
	lockdep_assert_held(&netfs_iocount_switch_lock);
	if (*flag == on)
		return;
	if (on) {
		static_branch_inc(&netfs_iocount_debug_key);
		WRITE_ONCE(*flag, true);
	} else {
		WRITE_ONCE(*flag, false);
		static_branch_dec(&netfs_iocount_debug_key);
	}
}

/**
 * netfs_iocount_set_tracking - switch tracking of outstanding requests
 * @on: record every begin from now on, or drop every record and stop
 *
 * Safe while I/O is in flight: an end whose begin was not recorded finds
 * nothing to drop.  Also the module parameter "track".
 *
 * Context: process context; may sleep.
 */
void netfs_iocount_set_tracking(bool on)
{
	mutex_lock(&netfs_iocount_switch_lock);
	netfs_iocount_switch(&track, on);
	if (!on)
		track_purge();
	mutex_unlock(&netfs_iocount_switch_lock);
}
EXPORT_SYMBOL_GPL(netfs_iocount_set_tracking);

/**
 * netfs_iocount_set_stats - switch the begin and end totals
 * @on: count every begin and end from now on, or stop
 *
 * The other statistics are always kept.  Also the module parameter "stats".
 *
 * Context: process context; may sleep.
 */
void netfs_iocount_set_stats(bool on)
{
	mutex_lock(&netfs_iocount_switch_lock);
	netfs_iocount_switch(&stats, on);
	mutex_unlock(&netfs_iocount_switch_lock);
}
EXPORT_SYMBOL_GPL(netfs_iocount_set_stats);

/**
 * netfs_iocount_set_hung_warn_secs - set the hung-wait warning threshold
 * @secs: warn once a wait has slept this long, and again every as long;
 *	0 never warns
 *
 * Also the module parameter "hung_warn_secs".  Waits already asleep pick
 * the new value up at their next warning.
 *
 * Return: 0, or -EINVAL if @secs is above a day.
 */
int netfs_iocount_set_hung_warn_secs(unsigned int secs)
{
	if (secs > NETFS_IOCOUNT_HUNG_WARN_MAX)
		return -EINVAL;
	WRITE_ONCE(hung_warn_secs, secs);
	return 0;
}
EXPORT_SYMBOL_GPL(netfs_iocount_set_hung_warn_secs);

static int param_set_feature(const char *val, const struct kernel_param *kp)
{
	bool on;

	if (kstrtobool(val, &on)) {
		pr_err("%s=%s is invalid: expected 0 or 1\n", kp->name, val);
		return -EINVAL;
	}
	if (kp->arg == &track)
		netfs_iocount_set_tracking(on);
	else
		netfs_iocount_set_stats(on);
	return 0;
}

static int param_set_hung_warn_secs(const char *val,
				    const struct kernel_param *kp)
{
	unsigned int secs;

	if (kstrtouint(val, 0, &secs) ||
	    netfs_iocount_set_hung_warn_secs(secs)) {
		pr_err("hung_warn_secs=%s is invalid: expected 0 (off) to %u\n",
		       val, NETFS_IOCOUNT_HUNG_WARN_MAX);
		return -EINVAL;
	}
	return 0;
}

static const struct kernel_param_ops feature_ops = {
	.set = param_set_feature,
	.get = param_get_bool,
};

static const struct kernel_param_ops hung_warn_secs_ops = {
	.set = param_set_hung_warn_secs,
	.get = param_get_uint,
};

module_param_cb(hung_warn_secs, &hung_warn_secs_ops, &hung_warn_secs, 0644);
MODULE_PARM_DESC(hung_warn_secs,
		 "warn when a wait has slept this long, then every as long again (0: never; default 30)");
module_param_cb(track, &feature_ops, &track, 0644);
MODULE_PARM_DESC(track,
		 "record every outstanding request with its caller and stack (default 0)");
module_param_cb(stats, &feature_ops, &stats, 0644);
MODULE_PARM_DESC(stats, "count every begin and end (default 0)");

/* The begin and end trace events hold the debug key while enabled. */
static int trace_users;

int netfs_iocount_trace_reg(void)
{
	mutex_lock(&netfs_iocount_switch_lock);
	if (!trace_users++)
		static_branch_inc(&netfs_iocount_debug_key);
	mutex_unlock(&netfs_iocount_switch_lock);
	return 0;
}

void netfs_iocount_trace_unreg(void)
{
	mutex_lock(&netfs_iocount_switch_lock);
	if (!--trace_users)
		static_branch_dec(&netfs_iocount_debug_key);
	mutex_unlock(&netfs_iocount_switch_lock);
}

/* ---- debugfs: netfs_iocount/{stats,outstanding}, root only ---- */

static struct dentry *debugfs_dir;

static int stats_show(struct seq_file *m, void *v)
{
	struct netfs_iocount_stats st;

	netfs_iocount_stats_read(&st);
	seq_printf(m, "waits %llu\nwaits_slept %llu\nslept_ns %llu\n",
		   st.waits, st.waits_slept, st.slept_ns);
	seq_printf(m, "slept_ns_max %llu\nhung_warnings %llu\nunderflows %llu\n",
		   st.slept_ns_max, st.hung_warnings, st.underflows);
	if (READ_ONCE(stats))
		seq_printf(m, "begins %llu\nends %llu\n", st.begins, st.ends);
	if (READ_ONCE(track))
		seq_printf(m, "tracked %llu\nuntracked %llu\n",
			   st.tracked, st.untracked);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(stats);

static void outstanding_show_one(struct seq_file *m,
				 struct netfs_iocount_track *t)
{
	struct netfs_iocount_record *r;
	unsigned int i;

	seq_printf(m, "counter %p: %u request(s) recorded\n", t->ic, t->nr);
	list_for_each_entry_reverse(r, &t->records, link) {
		seq_printf(m, "  for %ums, begun by %pS\n",
			   jiffies_to_msecs(jiffies - r->start),
			   (void *)r->caller);
		for (i = 0; i < r->nr_entries; i++)
			seq_printf(m, "    %pS\n", (void *)r->entries[i]);
	}
}

static int outstanding_show(struct seq_file *m, void *v)
{
	struct netfs_iocount_track *t;
	unsigned long flags;
	int i;

	if (!READ_ONCE(track)) {
		seq_puts(m, "tracking is off: echo 1 > /sys/module/netfs_iocount/parameters/track\n");
		return 0;
	}
	for (i = 0; i < ARRAY_SIZE(track_table); i++) {
		struct netfs_iocount_track_bucket *b = &track_table[i];

		spin_lock_irqsave(&b->lock, flags);
		hlist_for_each_entry(t, &b->head, node)
			outstanding_show_one(m, t);
		spin_unlock_irqrestore(&b->lock, flags);
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(outstanding);

static int __init netfs_iocount_module_init(void)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(track_table); i++) {
		spin_lock_init(&track_table[i].lock);
		INIT_HLIST_HEAD(&track_table[i].head);
	}
	record_cache = KMEM_CACHE(netfs_iocount_record, 0);
	if (!record_cache)
		return -ENOMEM;
	debugfs_dir = debugfs_create_dir("netfs_iocount", NULL);
	debugfs_create_file("stats", 0400, debugfs_dir, NULL, &stats_fops);
	debugfs_create_file("outstanding", 0400, debugfs_dir, NULL,
			    &outstanding_fops);
	return 0;
}

static void __exit netfs_iocount_module_exit(void)
{
	debugfs_remove_recursive(debugfs_dir);
	mutex_lock(&netfs_iocount_switch_lock);
	netfs_iocount_switch(&track, false);
	netfs_iocount_switch(&stats, false);
	track_purge();
	mutex_unlock(&netfs_iocount_switch_lock);
	kmem_cache_destroy(record_cache);
}

module_init(netfs_iocount_module_init);
module_exit(netfs_iocount_module_exit);

MODULE_DESCRIPTION("Per-inode count of outstanding netfs I/O requests");
MODULE_LICENSE("GPL");
