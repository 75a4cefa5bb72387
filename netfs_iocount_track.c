// SPDX-License-Identifier: GPL-2.0
/*
 * netfs_iocount: tracking of outstanding requests.
 *
 * While tracking is on, every begin leaves a record: the counter, the
 * request (when the caller has one), the function that began it, its stack
 * (in the kernel's stack depot) and its start time.  The record of a
 * request is dropped by that request's own end, before the decrement, so
 * whatever order requests complete in, the records left are exactly the
 * requests still outstanding, and a leaked one is named.  Begins and ends
 * without a request (plain netfs_iocount_begin()/netfs_iocount_end()) can
 * only be paired oldest first; use the request variants where a request
 * exists.
 *
 * The records live in a side table hashed by counter, so that struct
 * netfs_iocount stays four bytes.  ref_tracker would be the kernel's own
 * tool, but it needs a directory per tracked object (a counter could not
 * stay four bytes) and Debian's kernels are built without REF_TRACKER.
 *
 * Begins and ends may come from any context, so the buckets are taken with
 * interrupts off; nothing is allocated (GFP_NOWAIT, before the lock),
 * printed or formatted under them: reports copy what they need out first.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/hash.h>
#include <linux/jiffies.h>
#include <linux/list.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/stackdepot.h>

#include "netfs_iocount_internal.h"
#include "netfs_iocount_trace.h"

#define TRACK_BITS		8
/* Outstanding requests a hung report lists, oldest first. */
#define TRACK_REPORT_MAX	3

struct netfs_iocount_record {
	struct list_head link;		/* in its bucket, oldest first */
	const struct netfs_iocount *ic;
	const void *req;		/* the request, or NULL */
	unsigned long caller;
	unsigned long start;		/* jiffies */
	depot_stack_handle_t stack;	/* 0 if none could be saved */
};

static struct track_bucket {
	spinlock_t lock;		/* protects records */
	struct list_head records;
} track_table[1 << TRACK_BITS];

static struct kmem_cache *record_cache;
static bool track;

/**
 * netfs_iocount_tracking - whether tracking is on
 *
 * Return: true while begins are being recorded.
 */
bool netfs_iocount_tracking(void)
{
	return READ_ONCE(track);
}

static struct track_bucket *track_bucket(const struct netfs_iocount *ic)
{
	return &track_table[hash_ptr(ic, TRACK_BITS)];
}

static void record_free_list(struct list_head *records)
{
	struct netfs_iocount_record *r, *next;
	long n = 0;

	list_for_each_entry_safe(r, next, records, link) {
		kmem_cache_free(record_cache, r);
		n++;
	}
	if (n)
		netfs_iocount_stats_tracked(-n);
}

/**
 * netfs_iocount_track_begin - record a begin
 * @ic: the counter
 * @req: the request, or NULL
 * @caller: the address to name as the beginner
 *
 * Tracking is re-read under the bucket lock: switching it off clears it
 * before purging each bucket under its lock, so a record is either purged
 * or never inserted.
 */
void netfs_iocount_track_begin(struct netfs_iocount *ic, const void *req,
			       unsigned long caller)
{
	struct track_bucket *b = track_bucket(ic);
	struct netfs_iocount_record *r;
	unsigned long flags;
	bool added = false;

	r = kmem_cache_alloc(record_cache, GFP_NOWAIT | __GFP_NOWARN);
	if (!r) {
		netfs_iocount_stats_untracked();
		return;
	}
	r->ic = ic;
	r->req = req;
	r->caller = caller;
	r->start = jiffies;
	r->stack = netfs_iocount_stack_save(caller);

	spin_lock_irqsave(&b->lock, flags);
	if (READ_ONCE(track)) {
		list_add_tail(&r->link, &b->records);
		added = true;
	}
	spin_unlock_irqrestore(&b->lock, flags);
	if (added)
		netfs_iocount_stats_tracked(1);
	else
		kmem_cache_free(record_cache, r);
}

/**
 * netfs_iocount_track_end - drop the record of an ending request
 * @ic: the counter
 * @req: the request, as passed to its begin, or NULL for the oldest
 *	record of @ic made without a request
 *
 * An end whose begin was not recorded (tracking was off then) finds
 * nothing, which is fine.
 */
void netfs_iocount_track_end(struct netfs_iocount *ic, const void *req)
{
	struct track_bucket *b = track_bucket(ic);
	struct netfs_iocount_record *r, *found = NULL;
	unsigned long flags;

	spin_lock_irqsave(&b->lock, flags);
	list_for_each_entry(r, &b->records, link) {
		if (r->ic == ic && r->req == req) {
			list_del(&r->link);
			found = r;
			break;
		}
	}
	spin_unlock_irqrestore(&b->lock, flags);
	if (found) {
		kmem_cache_free(record_cache, found);
		netfs_iocount_stats_tracked(-1);
	}
}

/**
 * netfs_iocount_track_forget - drop every record of a counter
 * @ic: a counter being (re)initialised
 *
 * A new owner at the address of an old one must not inherit records that
 * the old one's requests left (a spurious end can balance a leaked begin).
 */
void netfs_iocount_track_forget(struct netfs_iocount *ic)
{
	struct track_bucket *b = track_bucket(ic);
	struct netfs_iocount_record *r, *next;
	unsigned long flags;
	LIST_HEAD(stale);

	spin_lock_irqsave(&b->lock, flags);
	list_for_each_entry_safe(r, next, &b->records, link)
		if (r->ic == ic)
			list_move_tail(&r->link, &stale);
	spin_unlock_irqrestore(&b->lock, flags);
	record_free_list(&stale);
}

static void track_purge(void)
{
	unsigned long flags;
	LIST_HEAD(all);
	int i;

	for (i = 0; i < ARRAY_SIZE(track_table); i++) {
		spin_lock_irqsave(&track_table[i].lock, flags);
		list_splice_tail_init(&track_table[i].records, &all);
		spin_unlock_irqrestore(&track_table[i].lock, flags);
	}
	record_free_list(&all);
}

/**
 * netfs_iocount_track_switch - turn tracking on or off
 * @on: record from now on, or drop every record and stop
 *
 * The one state of tracking: netfs_iocount_tracking() reads it.
 *
 * Context: process context; the caller serialises switches.
 */
void netfs_iocount_track_switch(bool on)
{
	WRITE_ONCE(track, on);
	/* Nothing to purge before module init (the "track=0" parameter). */
	if (!on && record_cache)
		track_purge();
}

/*
 * Copy up to @max of the oldest records of @ic (of every counter if @ic is
 * NULL) in bucket @b into @out.  Return: how many records matched in all.
 */
static unsigned int track_snapshot(struct track_bucket *b,
				   const struct netfs_iocount *ic,
				   struct netfs_iocount_record *out,
				   unsigned int max)
{
	struct netfs_iocount_record *r;
	unsigned long flags;
	unsigned int n = 0;

	spin_lock_irqsave(&b->lock, flags);
	list_for_each_entry(r, &b->records, link) {
		if (ic && r->ic != ic)
			continue;
		if (n < max)
			out[n] = *r;
		n++;
	}
	spin_unlock_irqrestore(&b->lock, flags);
	return n;
}

/**
 * netfs_iocount_track_report - report the oldest outstanding requests
 * @ic: the counter a wait is hung on
 * @print: to the kernel log too, not only as trace events
 *
 * Nothing while tracking is off.
 *
 * Context: process context.
 * Return: whether tracking is on, so whether anything was reported.
 */
bool netfs_iocount_track_report(struct netfs_iocount *ic, bool print)
{
	struct netfs_iocount_record recs[TRACK_REPORT_MAX];
	unsigned int n, i, j, nr, age_ms;
	unsigned long *entries;

	if (!netfs_iocount_tracking())
		return false;
	n = track_snapshot(track_bucket(ic), ic, recs, ARRAY_SIZE(recs));
	if (!n && print)
		pr_warn("  no outstanding request recorded (tracking was off when they began)\n");
	for (i = 0; i < min_t(unsigned int, n, ARRAY_SIZE(recs)); i++) {
		age_ms = jiffies_to_msecs(jiffies - recs[i].start);
		trace_netfs_iocount_hung_request(ic, recs[i].req, recs[i].caller,
						 age_ms);
		if (!print)
			continue;
		pr_warn("  request %p outstanding for %ums, begun by %pS\n",
			recs[i].req, age_ms, (void *)recs[i].caller);
		nr = netfs_iocount_stack_fetch(recs[i].stack, &entries);
		for (j = 0; j < nr; j++)
			pr_warn("    %pS\n", (void *)entries[j]);
	}
	if (n && print)
		pr_warn("  %u request(s) recorded on this counter\n", n);
	return true;
}

/* The records of bucket @b, for netfs_iocount_track_show(). */
static int outstanding_show_bucket(struct seq_file *m, struct track_bucket *b)
{
	struct netfs_iocount_record *recs;
	unsigned int n, i, j, nr;
	unsigned long *entries;

	n = track_snapshot(b, NULL, NULL, 0);
	if (!n)
		return 0;
	recs = kmalloc_array(n, sizeof(*recs), GFP_KERNEL);
	if (!recs)
		return -ENOMEM;
	/* Records that arrived since the count are left for the next read. */
	n = min(n, track_snapshot(b, NULL, recs, n));
	for (i = 0; i < n; i++) {
		seq_printf(m, "counter %p request %p: for %ums, begun by %pS\n",
			   recs[i].ic, recs[i].req,
			   jiffies_to_msecs(jiffies - recs[i].start),
			   (void *)recs[i].caller);
		nr = netfs_iocount_stack_fetch(recs[i].stack, &entries);
		for (j = 0; j < nr; j++)
			seq_printf(m, "    %pS\n", (void *)entries[j]);
	}
	kfree(recs);
	return 0;
}

/**
 * netfs_iocount_track_show - list every record, oldest first per bucket
 * @m: the seq_file of debugfs's netfs_iocount/outstanding
 *
 * Return: 0, or -ENOMEM.
 */
int netfs_iocount_track_show(struct seq_file *m)
{
	int i, ret;

	if (!netfs_iocount_tracking()) {
		seq_puts(m, "tracking is off: echo 1 > /sys/module/netfs_iocount/parameters/track\n");
		return 0;
	}
	for (i = 0; i < ARRAY_SIZE(track_table); i++) {
		ret = outstanding_show_bucket(m, &track_table[i]);
		if (ret)
			return ret;
	}
	return 0;
}

/**
 * netfs_iocount_track_init - set up tracking, off
 *
 * Return: 0, or -ENOMEM.
 */
int netfs_iocount_track_init(void)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(track_table); i++) {
		spin_lock_init(&track_table[i].lock);
		INIT_LIST_HEAD(&track_table[i].records);
	}
	record_cache = KMEM_CACHE(netfs_iocount_record, 0);
	return record_cache ? 0 : -ENOMEM;
}

/*
 * Module exit: every module that begins requests is gone, so no record can
 * come any more; a "track" store racing with exit may have switched
 * tracking on again, so it is switched off here, and whatever is left goes
 * before the cache.
 */
void netfs_iocount_track_exit(void)
{
	WRITE_ONCE(track, false);
	track_purge();
	kmem_cache_destroy(record_cache);
}
