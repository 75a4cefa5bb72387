// SPDX-License-Identifier: GPL-2.0
/*
 * netfs_iocount_hotfix: close the umount race of 9p and afs on a running
 * kernel whose netfs keeps no count of an inode's requests (6.1), with
 * nothing rebuilt.
 *
 * The race: netfs may free a request from a workqueue after the syscall
 * that started it has returned (on 6.1, when a cache completion drops the
 * last reference), and the free calls ->free_request(), which for 9p puts
 * a fid through the per-mount client.  umount evicts the inodes and tears
 * the client down meanwhile.  Mainline closed it in f89ea63f1c65 (6.10) by
 * counting requests per inode and waiting in ->evict_inode until the count
 * drains.  This module does the same from outside, with exported symbols
 * only:
 *
 *  - A return probe on netfs_alloc_request() counts each request it
 *    returns for a 9p or afs inode, on a counter of the library's (struct
 *    netfs_iocount) that lives in a livepatch shadow variable keyed by the
 *    inode, and marks the request with a shadow variable of its own that
 *    points at that counter.
 *  - A return probe on netfs_free_request() takes the mark at entry and
 *    lowers the count when the function returns, after ->free_request()
 *    and everything else the free does.  Every free enters that function:
 *    as the work item of an asynchronous free, or called (a tail jump) by
 *    netfs_put_request().  A request without a mark was allocated before
 *    the module loaded, or could not be counted: it is never lowered, so
 *    the count cannot go below the requests it saw begin.
 *  - A livepatch of truncate_inode_pages_final() (exported, called by
 *    v9fs_evict_inode() and afs_evict_inode() exactly where mainline waits)
 *    waits for the inode's count to drain with netfs_iocount_wait_inode(),
 *    which sleeps once and reports a long wait with the inode, frees the
 *    counter, then does the function's own body.
 *
 * Why these and not others: the counter must be keyed by the inode
 * without changing struct netfs_inode (shadow variables are the
 * livepatch way to add a field); the decrement must come after the last
 * thing the free path touches, which only a return probe of the whole
 * free gives without patching netfs itself; and truncate_inode_pages_final()
 * is the one exported function on both filesystems' eviction paths before
 * anything the free path uses is torn down.  Patching v9fs_evict_inode()
 * and afs_evict_inode() instead would need klp relocations for their
 * static callees.
 *
 * What can go wrong, and what is done about it:
 *  - A return probe misses when its instances are used up (maxactive) or
 *    when it fires inside another probe's handler.  A missed allocation
 *    leaves a request uncounted (unprotected, as before the module).  A
 *    missed free leaves a count that never drains: each miss is counted
 *    and reported, an eviction asleep while frees went unseen is named
 *    with them (the library's hung report of the same wait cannot tell
 *    why it waits), and the request's mark is reclaimed when its address
 *    is allocated again (a later allocation at the same address proves
 *    the old request gone), so a wait it holds up ends then.
 *  - Requests allocated before the module loaded carry no mark: their
 *    frees are counted as unprotected and lower nothing, so loading under
 *    I/O never makes a count go below zero.
 *  - Another probe on netfs_free_request() that moves the instruction
 *    pointer (tests/p9hold.c) must be registered after this module's, so
 *    that it runs first and this one sees only the real free.
 *  - Disabling the patch (/sys/kernel/livepatch/netfs_iocount_hotfix/enabled)
 *    completes once no task sleeps in the patched function; only then are
 *    the probes removed, and rmmod is possible once the patch is gone.
 *
 * ceph is left out: its eviction can run on the messenger thread that
 * must complete the I/O it would wait for.  cifs and NFS on 6.1 do not use
 * netfs requests.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/moduleparam.h>

#include "netfs_iocount.h"

#ifdef NETFS_IOCOUNT_HAVE_NETFS_IO_COUNT

static int __init netfs_iocount_hotfix_init(void)
{
	pr_err("netfs already waits for outstanding I/O (struct netfs_inode has io_count): nothing to fix\n");
	return -EOPNOTSUPP;
}

#elif !IS_ENABLED(CONFIG_LIVEPATCH) || !IS_ENABLED(CONFIG_KRETPROBES)

static int __init netfs_iocount_hotfix_init(void)
{
	pr_err("this kernel has no %s: cannot patch it\n",
	       IS_ENABLED(CONFIG_LIVEPATCH) ? "CONFIG_KRETPROBES" :
	       "CONFIG_LIVEPATCH");
	return -EOPNOTSUPP;
}

#else

#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/jiffies.h>
#include <linux/kallsyms.h>
#include <linux/kprobes.h>
#include <linux/ktime.h>
#include <linux/list.h>
#include <linux/livepatch.h>
#include <linux/netfs.h>
#include <linux/pagemap.h>
#include <linux/seq_file.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/workqueue.h>

/* Shadow variable ids: "nfic" and a tag, unique among livepatches. */
#define HOTFIX_SHADOW_COUNT	0x6e666963c0u	/* inode -> its counter */
#define HOTFIX_SHADOW_MARK	0x6e666963a0u	/* request -> its counter */

#define HOTFIX_MAXACTIVE_MIN	16
#define HOTFIX_MAXACTIVE_MAX	4096	/* the kernel's own bound */

/* How often the probes' miss counts are checked for news. */
#define HOTFIX_MISS_POLL	(10 * HZ)

/*
 * Frees that sleep hold a probe instance each (9p's clunk waits for the
 * server): room for every worker of the unbound workqueue and as many
 * callers again.
 */
static unsigned int maxactive = 1024;

static int maxactive_set(const char *val, const struct kernel_param *kp)
{
	unsigned int n;

	if (kstrtouint(val, 0, &n) || n < HOTFIX_MAXACTIVE_MIN ||
	    n > HOTFIX_MAXACTIVE_MAX) {
		pr_err("maxactive=%s is invalid: expected %u to %u\n", val,
		       HOTFIX_MAXACTIVE_MIN, HOTFIX_MAXACTIVE_MAX);
		return -EINVAL;
	}
	maxactive = n;
	return 0;
}

static const struct kernel_param_ops maxactive_ops = {
	.set = maxactive_set,
	.get = param_get_uint,
};

module_param_cb(maxactive, &maxactive_ops, &maxactive, 0444);
MODULE_PARM_DESC(maxactive,
		 "requests allocated or freed at once that the probes can follow (16..4096; default 1024)");

/* The request's mark: the counter its allocation raised. */
struct hotfix_mark {
	struct netfs_iocount *ic;
};

static struct hotfix_stats {
	atomic_long_t counted;		/* requests counted */
	atomic_long_t unprotected;	/* 9p/afs requests not counted */
	atomic_long_t reclaimed;	/* marks of missed frees reclaimed */
	atomic_long_t waited;		/* evictions that slept */
	atomic64_t wait_ns_max;		/* the longest of them */
} hotfix_stats;

/*
 * The counted inodes: netfs's (every 6.1 request is allocated through
 * these address space operations) of 9p, and of afs (module kafs).  The
 * reference to netfs_read_folio() also keeps netfs loaded while its
 * functions are probed.
 */
static bool hotfix_covers(const struct inode *inode,
			  const struct address_space *mapping)
{
	const char *name = inode->i_sb->s_type->name;

	return (!strcmp(name, "9p") || !strcmp(name, "afs")) &&
	       mapping->a_ops->read_folio == netfs_read_folio;
}

/*
 * Request operations told apart so far, each with bit 0 set if they are
 * 9p's or afs's: frees are told apart by them, as an uncounted request's
 * inode may be gone by its free.
 */
static unsigned long hotfix_ops_seen[4];

static void hotfix_remember_ops(const void *ops, bool covered)
{
	unsigned long entry = (unsigned long)ops | covered;
	int i;

	for (i = 0; i < ARRAY_SIZE(hotfix_ops_seen); i++) {
		unsigned long seen = READ_ONCE(hotfix_ops_seen[i]);

		/* Counted proves covered, whatever the symbol said. */
		if ((seen & ~1UL) == (unsigned long)ops) {
			if (covered && seen != entry)
				cmpxchg(&hotfix_ops_seen[i], seen, entry);
			return;
		}
		if (!seen && !cmpxchg(&hotfix_ops_seen[i], 0, entry))
			return;
	}
}

/*
 * Whether @ops are 9p's or afs's own request operations, by the symbol at
 * their address ("v9fs_req_ops+0x0/0x48 [9p]"), built in or in a module:
 * for requests allocated before the module loaded, when none of theirs
 * was seen counted.  A kernel without CONFIG_KALLSYMS_ALL names no data
 * of vmlinux: there a built-in filesystem's early frees go uncounted in
 * "unprotected" (a statistic only).
 */
static bool hotfix_ops_by_name(const void *ops)
{
	char sym[KSYM_SYMBOL_LEN];

	sprint_symbol(sym, (unsigned long)ops);
	return str_has_prefix(sym, "v9fs_req_ops+0x0/") ||
	       str_has_prefix(sym, "afs_req_ops+0x0/");
}

static bool hotfix_ops_covered(const void *ops)
{
	bool covered;
	int i;

	for (i = 0; i < ARRAY_SIZE(hotfix_ops_seen); i++) {
		unsigned long seen = READ_ONCE(hotfix_ops_seen[i]);

		if ((seen & ~1UL) == (unsigned long)ops)
			return seen & 1;
	}
	covered = hotfix_ops_by_name(ops);
	hotfix_remember_ops(ops, covered);
	return covered;
}

static int hotfix_mark_new(void *obj, void *shadow_data, void *ctor_data)
{
	*(bool *)ctor_data = true;
	return 0;
}

/*
 * Count @rreq on its inode's counter.  A mark already there is that of a
 * request at the same address whose free the probe missed: that request
 * is gone, so its count is lowered now.
 */
static void hotfix_count(struct netfs_io_request *rreq, unsigned long caller)
{
	struct netfs_iocount *ic;
	struct hotfix_mark *mark;
	bool fresh = false;

	hotfix_remember_ops(rreq->netfs_ops, true);
	ic = klp_shadow_get_or_alloc(rreq->inode, HOTFIX_SHADOW_COUNT,
				     sizeof(*ic), GFP_ATOMIC, NULL, NULL);
	if (!ic)
		goto unprotected;
	mark = klp_shadow_get_or_alloc(rreq, HOTFIX_SHADOW_MARK, sizeof(*mark),
				       GFP_ATOMIC, hotfix_mark_new, &fresh);
	if (!mark)
		goto unprotected;
	if (!fresh) {
		atomic_long_inc(&hotfix_stats.reclaimed);
		__netfs_iocount_end(mark->ic, rreq, caller);
	}
	mark->ic = ic;
	__netfs_iocount_begin(ic, rreq, caller);
	atomic_long_inc(&hotfix_stats.counted);
	return;
unprotected:
	atomic_long_inc(&hotfix_stats.unprotected);
}

static int hotfix_alloc_returned(struct kretprobe_instance *ri,
				 struct pt_regs *regs)
{
	struct netfs_io_request *rreq = (void *)regs_return_value(regs);

	if (!IS_ERR_OR_NULL(rreq) && hotfix_covers(rreq->inode, rreq->mapping))
		hotfix_count(rreq, get_kretprobe_retaddr(ri));
	return 0;
}

static struct kretprobe hotfix_alloc_probe = {
	.kp.symbol_name	= "netfs_alloc_request",
	.handler	= hotfix_alloc_returned,
};

/* What a free's entry hands to its return. */
struct hotfix_free {
	struct netfs_iocount *ic;
	const struct netfs_io_request *rreq;
};

/*
 * The request is alive here, and its inode too if it was counted; an
 * uncounted request's inode may be gone already, so it is told by its
 * operations only.
 */
static int hotfix_free_entered(struct kretprobe_instance *ri,
			       struct pt_regs *regs)
{
	struct work_struct *work = (void *)regs_get_kernel_argument(regs, 0);
	struct netfs_io_request *rreq =
		container_of(work, struct netfs_io_request, work);
	struct hotfix_free *f = (void *)ri->data;
	struct hotfix_mark *mark;

	mark = klp_shadow_get(rreq, HOTFIX_SHADOW_MARK);
	if (!mark) {
		if (hotfix_ops_covered(rreq->netfs_ops))
			atomic_long_inc(&hotfix_stats.unprotected);
		return 1;	/* nothing to do at return */
	}
	f->ic = mark->ic;
	f->rreq = rreq;
	klp_shadow_free(rreq, HOTFIX_SHADOW_MARK, NULL);
	return 0;
}

/* The whole free has run: the count may drain, and eviction go on. */
static int hotfix_free_returned(struct kretprobe_instance *ri,
				struct pt_regs *regs)
{
	struct hotfix_free *f = (void *)ri->data;

	__netfs_iocount_end(f->ic, f->rreq, get_kretprobe_retaddr(ri));
	return 0;
}

static struct kretprobe hotfix_free_probe = {
	.kp.symbol_name	= "netfs_free_request",
	.entry_handler	= hotfix_free_entered,
	.handler	= hotfix_free_returned,
	.data_size	= sizeof(struct hotfix_free),
};

static unsigned long hotfix_missed(const struct kretprobe *rp)
{
	return READ_ONCE(rp->nmissed) + READ_ONCE(rp->kp.nmissed);
}

static void hotfix_record_wait(s64 ns)
{
	s64 max = atomic64_read(&hotfix_stats.wait_ns_max);

	atomic_long_inc(&hotfix_stats.waited);
	while (ns > max &&
	       !atomic64_try_cmpxchg(&hotfix_stats.wait_ns_max, &max, ns))
		;
}

/*
 * An eviction asleep in the patched function, for the miss report: the
 * inode stays valid while it sleeps, as its eviction is what waits.
 */
struct hotfix_waiter {
	struct list_head node;
	const struct inode *inode;
	struct netfs_iocount *ic;
	unsigned long since;	/* jiffies */
	bool told;		/* named in a miss report */
};

static LIST_HEAD(hotfix_waiters);
static DEFINE_SPINLOCK(hotfix_waiters_lock);

static void hotfix_sleep(struct inode *inode, struct netfs_iocount *ic)
{
	struct hotfix_waiter w = { .inode = inode, .ic = ic, .since = jiffies };
	u64 start = ktime_get_ns();

	spin_lock(&hotfix_waiters_lock);
	list_add_tail(&w.node, &hotfix_waiters);
	spin_unlock(&hotfix_waiters_lock);
	netfs_iocount_wait_inode(ic, inode);
	spin_lock(&hotfix_waiters_lock);
	list_del(&w.node);
	spin_unlock(&hotfix_waiters_lock);
	hotfix_record_wait(ktime_get_ns() - start);
}

/* Wait for the counted requests of @mapping's inode, then drop its counter. */
static void hotfix_wait_for_requests(struct address_space *mapping)
{
	struct inode *inode = mapping->host;
	struct netfs_iocount *ic;

	if (!inode || !hotfix_covers(inode, mapping))
		return;
	ic = klp_shadow_get(inode, HOTFIX_SHADOW_COUNT);
	if (!ic)
		return;
	if (netfs_iocount_read(ic))
		hotfix_sleep(inode, ic);
	/* An inode being evicted starts no request: nothing can raise it. */
	klp_shadow_free(inode, HOTFIX_SHADOW_COUNT, NULL);
}

/**
 * hotfix_truncate_inode_pages_final - truncate_inode_pages_final(), after
 * the inode's netfs requests are freed
 * @mapping: mapping to truncate
 *
 * The body after the wait is that of truncate_inode_pages_final() in 6.1.
 */
static void hotfix_truncate_inode_pages_final(struct address_space *mapping)
{
	hotfix_wait_for_requests(mapping);

	mapping_set_exiting(mapping);
	if (!mapping_empty(mapping)) {
		xa_lock_irq(&mapping->i_pages);
		xa_unlock_irq(&mapping->i_pages);
	}
	truncate_inode_pages(mapping, 0);
}

/* ---- Reports: debugfs, and misses in the kernel log ---- */

static unsigned long hotfix_missed_seen;
static void hotfix_miss_check(struct work_struct *work);
static DECLARE_DELAYED_WORK(hotfix_miss_work, hotfix_miss_check);

/*
 * Name, once each, the evictions asleep for a poll period or longer while
 * frees went unseen: one of those may be what they wait for, which the
 * library's hung report of the same wait cannot know.
 */
static void hotfix_tell_waiters(unsigned long frees)
{
	struct hotfix_waiter *w;

	spin_lock(&hotfix_waiters_lock);
	list_for_each_entry(w, &hotfix_waiters, node) {
		if (w->told || time_before(jiffies, w->since + HOTFIX_MISS_POLL))
			continue;
		w->told = true;
		pr_warn("eviction of %s inode %lu has waited %lu s for %d request(s) with %lu free(s) unseen: it may be waiting for one of those\n",
			w->inode->i_sb->s_id, w->inode->i_ino,
			(jiffies - w->since) / HZ,
			netfs_iocount_read(w->ic), frees);
	}
	spin_unlock(&hotfix_waiters_lock);
}

static void hotfix_miss_check(struct work_struct *work)
{
	unsigned long frees = hotfix_missed(&hotfix_free_probe);

	if (frees != hotfix_missed_seen) {
		pr_warn("%lu free(s) of netfs requests went unseen (probe instances: maxactive=%u): an eviction waiting for one waits until its address is allocated again\n",
			frees - hotfix_missed_seen, maxactive);
		hotfix_missed_seen = frees;
	}
	if (frees)
		hotfix_tell_waiters(frees);
	schedule_delayed_work(&hotfix_miss_work, HOTFIX_MISS_POLL);
}

static int hotfix_stats_show(struct seq_file *m, void *v)
{
	seq_printf(m, "counted %ld\nunprotected %ld\nreclaimed %ld\n",
		   atomic_long_read(&hotfix_stats.counted),
		   atomic_long_read(&hotfix_stats.unprotected),
		   atomic_long_read(&hotfix_stats.reclaimed));
	seq_printf(m, "missed_alloc %lu\nmissed_free %lu\nmaxactive %u\n",
		   hotfix_missed(&hotfix_alloc_probe),
		   hotfix_missed(&hotfix_free_probe), maxactive);
	seq_printf(m, "evictions_waited %ld\nwait_us_max %lld\n",
		   atomic_long_read(&hotfix_stats.waited),
		   div_s64(atomic64_read(&hotfix_stats.wait_ns_max),
			   NSEC_PER_USEC));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(hotfix_stats);

static struct dentry *hotfix_debugfs;

/* ---- The patch and its life cycle ---- */

static struct kretprobe *hotfix_probes[] = {
	/* The free first: every request counted is then seen freed. */
	&hotfix_free_probe, &hotfix_alloc_probe,
};

/* Whether the probes are registered; changed under klp's own mutex. */
static bool hotfix_probed;

/*
 * Remove the probes once: both after a disable (post_unpatch) and when
 * klp_enable_patch() fails, which may already have run post_unpatch.
 */
static void hotfix_unprobe(void)
{
	if (!hotfix_probed)
		return;
	hotfix_probed = false;
	cancel_delayed_work_sync(&hotfix_miss_work);
	unregister_kretprobes(hotfix_probes, ARRAY_SIZE(hotfix_probes));
}

/* The patch is off and no task runs its function: nobody waits any more. */
static void hotfix_post_unpatch(struct klp_object *obj)
{
	hotfix_unprobe();
	pr_info("disabled: %ld request(s) counted, %ld evictions waited\n",
		atomic_long_read(&hotfix_stats.counted),
		atomic_long_read(&hotfix_stats.waited));
}

static struct klp_func hotfix_funcs[] = {
	{
		.old_name = "truncate_inode_pages_final",
		.new_func = hotfix_truncate_inode_pages_final,
	},
	{ }
};

static struct klp_object hotfix_objs[] = {
	{
		/* name NULL: vmlinux */
		.funcs = hotfix_funcs,
		.callbacks.post_unpatch = hotfix_post_unpatch,
	},
	{ }
};

static struct klp_patch hotfix_patch = {
	.mod = THIS_MODULE,
	.objs = hotfix_objs,
};

static int hotfix_probe(void)
{
	int i, ret;

	for (i = 0; i < ARRAY_SIZE(hotfix_probes); i++)
		hotfix_probes[i]->maxactive = maxactive;
	ret = register_kretprobes(hotfix_probes, ARRAY_SIZE(hotfix_probes));
	hotfix_probed = !ret;
	if (ret)
		pr_err("cannot probe %s and %s (%d): nothing changed\n",
		       hotfix_free_probe.kp.symbol_name,
		       hotfix_alloc_probe.kp.symbol_name, ret);
	return ret;
}

static int __init netfs_iocount_hotfix_init(void)
{
	int ret;

	ret = hotfix_probe();
	if (ret)
		return ret;
	ret = klp_enable_patch(&hotfix_patch);
	if (ret) {
		pr_err("cannot patch %s (%d): nothing changed\n",
		       hotfix_funcs[0].old_name, ret);
		hotfix_unprobe();
		return ret;
	}
	hotfix_debugfs = debugfs_create_file(KBUILD_MODNAME, 0444, NULL, NULL,
					     &hotfix_stats_fops);
	schedule_delayed_work(&hotfix_miss_work, HOTFIX_MISS_POLL);
	pr_info("enabled: 9p and afs evictions wait for their netfs requests (maxactive=%u)\n",
		maxactive);
	return 0;
}

/* Only once the patch is disabled: the probes are gone (post_unpatch). */
static void __exit netfs_iocount_hotfix_exit(void)
{
	debugfs_remove(hotfix_debugfs);
	klp_shadow_free_all(HOTFIX_SHADOW_MARK, NULL);
	klp_shadow_free_all(HOTFIX_SHADOW_COUNT, NULL);
}
module_exit(netfs_iocount_hotfix_exit);

MODULE_INFO(livepatch, "Y");

#endif

module_init(netfs_iocount_hotfix_init);

MODULE_DESCRIPTION("netfs_iocount hotfix: 9p/afs evictions wait for their netfs requests (6.1)");
MODULE_LICENSE("GPL");
