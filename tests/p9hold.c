// SPDX-License-Identifier: GPL-2.0
/*
 * p9hold: hold or delay 9p's netfs request frees (or, in delay mode, those of
 * another netfs filesystem), on an unmodified kernel, to open the umount race
 * window on purpose, or to keep an inode's count of outstanding I/O up for as
 * long as a test needs (tests only).
 *
 * Both modes act only on frees that run on a workqueue (netfs's
 * asynchronous cleanup), and change the execution path the way kprobes
 * document: a pre-handler sets the instruction pointer and returns
 * non-zero.  Such a probe carries an (empty) post-handler, because only an
 * unoptimized probe honours the instruction pointer its pre-handler sets.
 *
 * hold=1 sends v9fs_free_request() to p9hold_free_request(), which sleeps
 * in the worker until 1 is written to "release", then does what
 * v9fs_free_request() does (put the request's fid, clunking it at the
 * last reference: the same two lines in 6.1, 6.12 and 7.3) and returns to
 * netfs's free path: a server that does not answer the clunk.
 *
 * delay_ms=MS postpones netfs's whole free of a 9p request by MS
 * milliseconds: the work item that runs netfs_free_request() (queued by the
 * request's last put: always from 6.14, from an asynchronous completion
 * before) is sent to p9hold_postpone_free() instead, which queues it again
 * MS later, when it runs unchanged, so whatever the free touches is touched
 * by netfs's and 9p's own code.  A free netfs runs in its caller is not
 * delayed.  Writing 1 to "release" runs the postponed frees at once.
 *
 * defer=1 makes a free that netfs runs in its caller (before 6.14, the last
 * put of a request not from an asynchronous completion: a read served in
 * the reading task) go the way netfs_put_request() sends one from an
 * asynchronous completion: the work item is set to netfs_free_request() and
 * queued on the unbound workqueue.  hold and delay_ms then act on it, so a
 * test gets a held or postponed free from any read, without depending on
 * the read's I/O completing outside the reader (a cache read whose I/O is
 * done before its submission returns is completed in the reader).  From
 * 6.14 netfs queues every free, and defer changes nothing.
 *
 * fstype=NAME (at load only) makes delay mode act on the requests of the
 * filesystem type NAME instead of 9p's, cifs's say: the inode's count of
 * outstanding I/O then stays up until the postponed free runs.  hold=1 and
 * the eviction counters are 9p's only, and are not set up for another type:
 * hold=1 with another type is refused, at load and after.
 *
 * Parameters (all 0644 unless said):
 *   hold=1         hold v9fs_free_request() until released (fstype=9p)
 *   delay_ms=MS    postpone netfs's frees of 9p requests (0..10000)
 *   defer=1        queue the frees netfs runs in its caller (delay_ms's
 *                  filesystem type)
 *   fstype=NAME    the filesystem type of delay mode (0444; default 9p)
 *   release        write-only: let every held or postponed free go on
 *   held, delayed  read-only: frees held now, frees held or postponed so far
 *   postponed      read-only: frees postponed now
 *   deferred       read-only: frees queued by defer=1 so far
 *   evict_waits    read-only: evictions (v9fs_evict_inode()) that began
 *                  while a held or postponed free of their inode was in
 *                  flight and returned only after it: they waited for it
 *   evict_early    read-only: evictions that returned with such a free
 *                  still in flight: the race window, open
 *   evict_wait_us_max  read-only: the longest of the evict_waits
 *
 * Valid on x86-64, where the probed function's arguments are still in
 * their registers at the probe; the module refuses to load elsewhere.
 */

#define pr_fmt(fmt) "p9hold: " fmt

#include <linux/atomic.h>
#include <linux/delay.h>
#include <linux/kprobes.h>
#include <linux/math64.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/netfs.h>
#include <linux/rcupdate.h>
#include <linux/refcount.h>
#include <linux/sched.h>
#include <linux/string.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <asm/ibt.h>
#include <net/9p/9p.h>
#include <net/9p/client.h>

#define P9HOLD_DELAY_MAX_MS	10000
/* The longest filesystem type name fstype= takes. */
#define P9HOLD_FSTYPE_MAX	15
/* Diverted frees whose inode is remembered; more go unremembered. */
#define P9HOLD_SLOTS		64

/* The unbound system workqueue, under its 6.17+ name where it has it. */
#ifdef NETFS_IOCOUNT_HAVE_SYSTEM_DFL_WQ
#define p9hold_wq		system_dfl_wq
#else
#define p9hold_wq		system_unbound_wq
#endif

static bool hold;
static bool defer;

static atomic_t held = ATOMIC_INIT(0);
static atomic_t delayed = ATOMIC_INIT(0);
static atomic_t postponed = ATOMIC_INIT(0);
static atomic_t deferred = ATOMIC_INIT(0);
static atomic_t release_seq = ATOMIC_INIT(0);
static DECLARE_WAIT_QUEUE_HEAD(release_wq);
static unsigned int delay_ms;

static int atomic_param_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%d\n", atomic_read(kp->arg));
}

static const struct kernel_param_ops atomic_param_ops = {
	.get = atomic_param_get,
};
module_param_cb(held, &atomic_param_ops, &held, 0444);
MODULE_PARM_DESC(held, "frees held now (read-only)");
module_param_cb(delayed, &atomic_param_ops, &delayed, 0444);
MODULE_PARM_DESC(delayed, "frees held or postponed so far (read-only)");
module_param_cb(postponed, &atomic_param_ops, &postponed, 0444);
MODULE_PARM_DESC(postponed, "frees postponed now (read-only)");
module_param_cb(deferred, &atomic_param_ops, &deferred, 0444);
MODULE_PARM_DESC(deferred, "frees queued by defer=1 so far (read-only)");

/* Read-only once loaded: the kprobe handler compares it without a lock. */
static char fstype[P9HOLD_FSTYPE_MAX + 1] = "9p";

static int fstype_set(const char *val, const struct kernel_param *kp)
{
	size_t len = strcspn(val, "\n");

	if (!len || len > P9HOLD_FSTYPE_MAX || val[len + strspn(val + len, "\n")]) {
		pr_err("fstype=%s is invalid: expected a filesystem type name of 1..%d characters\n",
		       val, P9HOLD_FSTYPE_MAX);
		return -EINVAL;
	}
	strscpy(fstype, val, len + 1);
	return 0;
}

static const struct kernel_param_ops fstype_ops = {
	.set = fstype_set,
	.get = param_get_string,
};

static struct kparam_string fstype_string = {
	.maxlen = sizeof(fstype),
	.string = fstype,
};
module_param_cb(fstype, &fstype_ops, &fstype_string, 0444);
MODULE_PARM_DESC(fstype, "the filesystem type whose frees delay_ms postpones (default 9p)");

static bool p9hold_fstype_is(const char *name)
{
	return !strcmp(fstype, name);
}

/* hold=1 diverts 9p's own free: for another type it would hold nothing. */
static int hold_set(const char *val, const struct kernel_param *kp)
{
	bool on;

	if (kstrtobool(val, &on)) {
		pr_err("hold=%s is invalid: expected 0 or 1\n", val);
		return -EINVAL;
	}
	if (on && !p9hold_fstype_is("9p")) {
		pr_err("hold=1 is invalid with fstype=%s: it holds 9p's frees only\n",
		       fstype);
		return -EINVAL;
	}
	WRITE_ONCE(hold, on);
	return 0;
}

static const struct kernel_param_ops hold_ops = {
	.set = hold_set,
	.get = param_get_bool,
};
module_param_cb(hold, &hold_ops, &hold, 0644);
MODULE_PARM_DESC(hold, "hold 9p's asynchronous request frees until released (fstype=9p only)");

static atomic_t evict_waits = ATOMIC_INIT(0);
static atomic_t evict_early = ATOMIC_INIT(0);
static atomic_t evict_wait_us_max = ATOMIC_INIT(0);
module_param_cb(evict_waits, &atomic_param_ops, &evict_waits, 0444);
MODULE_PARM_DESC(evict_waits, "evictions that waited for a diverted free of their inode (read-only)");
module_param_cb(evict_early, &atomic_param_ops, &evict_early, 0444);
MODULE_PARM_DESC(evict_early, "evictions that returned before a diverted free of their inode (read-only)");
module_param_cb(evict_wait_us_max, &atomic_param_ops, &evict_wait_us_max, 0444);
MODULE_PARM_DESC(evict_wait_us_max, "the longest eviction that waited, in microseconds (read-only)");

/*
 * The frees held or postponed now: their inode, and for a postponed one its
 * work item, so that its second run is let through, and the delayed work
 * that queues it again.  Kprobe handlers run like NMIs, where no lock may be
 * taken: a slot is claimed by cmpxchg() on its inode, released by a store,
 * and read with READ_ONCE().
 */
static struct p9hold_slot {
	const struct inode *inode;	/* a key only; NULL: free */
	struct work_struct *work;
	struct delayed_work requeue;
} slots[P9HOLD_SLOTS];

/* Claim a slot for a free of @inode by @work (or NULL); a slot or -1. */
static int slot_get(const struct inode *inode, struct work_struct *work)
{
	int i;

	for (i = 0; i < P9HOLD_SLOTS; i++) {
		if (!cmpxchg(&slots[i].inode, NULL, inode)) {
			WRITE_ONCE(slots[i].work, work);
			return i;
		}
	}
	return -1;
}

static void slot_put(int i)
{
	if (i < 0)
		return;
	WRITE_ONCE(slots[i].work, NULL);
	/* The slot's work is cleared before another may claim it. */
	smp_store_release(&slots[i].inode, NULL);
}

/* The slot of the postponed free by @work, or -1. */
static int slot_of_work(const struct work_struct *work)
{
	int i;

	for (i = 0; i < P9HOLD_SLOTS; i++)
		if (READ_ONCE(slots[i].work) == work)
			return i;
	return -1;
}

/* Whether a free of @inode is held or postponed. */
static bool slot_busy(const struct inode *inode)
{
	int i;

	for (i = 0; i < P9HOLD_SLOTS; i++)
		if (READ_ONCE(slots[i].inode) == inode)
			return true;
	return false;
}

static int delay_ms_set(const char *val, const struct kernel_param *kp)
{
	unsigned int ms;

	if (kstrtouint(val, 0, &ms) || ms > P9HOLD_DELAY_MAX_MS) {
		pr_err("delay_ms=%s is invalid: expected 0..%u\n", val,
		       P9HOLD_DELAY_MAX_MS);
		return -EINVAL;
	}
	WRITE_ONCE(delay_ms, ms);
	return 0;
}

static const struct kernel_param_ops delay_ms_ops = {
	.set = delay_ms_set,
	.get = param_get_uint,
};
module_param_cb(delay_ms, &delay_ms_ops, &delay_ms, 0644);
MODULE_PARM_DESC(delay_ms, "postpone netfs's asynchronous frees of 9p requests (0..10000 ms)");

static int release_set(const char *val, const struct kernel_param *kp)
{
	bool on;
	int i;

	if (kstrtobool(val, &on) || !on) {
		pr_err("release=%s is invalid: write 1 to release the held frees\n",
		       val);
		return -EINVAL;
	}
	atomic_inc(&release_seq);
	wake_up_all(&release_wq);
	/* A pending requeue runs now; one not pending is left alone. */
	for (i = 0; i < P9HOLD_SLOTS; i++)
		flush_delayed_work(&slots[i].requeue);
	return 0;
}

static const struct kernel_param_ops release_ops = {
	.set = release_set,
};
module_param_cb(release, &release_ops, NULL, 0200);
MODULE_PARM_DESC(release, "write 1: let every held or postponed free go on");

/*
 * Entered in place of v9fs_free_request(), with its argument and its
 * return address: a plain call as far as anything can tell.
 */
static noinline void p9hold_free_request(struct netfs_io_request *rreq)
{
	int seq = atomic_read(&release_seq);
	int slot = slot_get(rreq->inode, NULL);

	atomic_inc(&delayed);
	atomic_inc(&held);
	wait_event(release_wq, atomic_read(&release_seq) != seq);
	atomic_dec(&held);
	/* v9fs_free_request()'s own body. */
	p9_fid_put(rreq->netfs_priv);
	/* Before netfs lowers io_count: an eviction waiting sees it gone. */
	slot_put(slot);
	module_put(THIS_MODULE);
}

static int v9fs_free_request_called(struct kprobe *p, struct pt_regs *regs)
{
	if (!(current->flags & PF_WQ_WORKER) || !READ_ONCE(hold))
		return 0;
	/*
	 * Until the diverted free is done: rmmod fails busy meanwhile.  Once
	 * rmmod has begun, the module may be freed under a diverted free:
	 * divert nothing.
	 */
	if (!try_module_get(THIS_MODULE))
		return 0;
	instruction_pointer_set(regs, (unsigned long)p9hold_free_request);
	return 1;	/* the pre-handler moved the IP: no single step */
}

/*
 * Never called: a probe with a post-handler is never jump-optimized, and
 * only an unoptimized probe honours the IP its pre-handler sets.
 */
static void v9fs_free_request_post(struct kprobe *p, struct pt_regs *regs,
				   unsigned long flags)
{
}

static struct kprobe free_probe = {
	.symbol_name	= "v9fs_free_request",
	.pre_handler	= v9fs_free_request_called,
	.post_handler	= v9fs_free_request_post,
};

module_param(defer, bool, 0644);
MODULE_PARM_DESC(defer, "queue the frees netfs runs in its caller, as it queues those of asynchronous completions");

/* ---- delay_ms: netfs's free of a 9p request, run again later ---- */

/* The request whose free @work runs (the member changed in 6.14). */
static struct netfs_io_request *p9hold_rreq(struct work_struct *work)
{
#ifdef NETFS_IOCOUNT_HAVE_NETFS_CLEANUP_WORK
	return container_of(work, struct netfs_io_request, cleanup_work);
#else
	return container_of(work, struct netfs_io_request, work);
#endif
}

static void p9hold_requeue(struct work_struct *requeue)
{
	struct p9hold_slot *slot = container_of(to_delayed_work(requeue),
						struct p9hold_slot, requeue);

	atomic_dec(&postponed);
	queue_work(p9hold_wq, READ_ONCE(slot->work));
	module_put(THIS_MODULE);
}

/*
 * Entered in place of netfs_free_request(), as the work item, with a slot
 * claimed: the free is queued again, @delay_ms later.
 */
static noinline void p9hold_postpone_free(struct work_struct *work)
{
	int slot = slot_of_work(work);

	atomic_inc(&delayed);
	atomic_inc(&postponed);
	queue_delayed_work(p9hold_wq, &slots[slot].requeue,
			   msecs_to_jiffies(READ_ONCE(delay_ms)));
}

static struct kprobe netfs_free_probe;

/*
 * netfs_free_request() itself, as a work item's function: the probed
 * address, less the IBT landing pad a probe at a function's entry is
 * placed after.
 */
static work_func_t p9hold_free_func(void)
{
	unsigned long at = (unsigned long)netfs_free_probe.addr;

#ifdef CONFIG_X86_KERNEL_IBT
	/* is_endbr() is not exported from 6.2 on. */
	if (*(u32 *)(at - ENDBR_INSN_SIZE) == gen_endbr())
		at -= ENDBR_INSN_SIZE;
#endif
	return (work_func_t)at;
}

/* Whether @work runs netfs_free_request(). */
static bool p9hold_runs_free(const struct work_struct *work)
{
	return work->func == p9hold_free_func();
}

/*
 * Whether netfs_free_request(@work) runs as the work item netfs_put_request()
 * queued: the request is dead and its work item runs the free.  A free netfs
 * runs in its caller instead (a failed request, 7.x, at two references;
 * before 6.14 a last put not from an asynchronous completion, with the item's
 * function not set to the free) is not, though defer=1 queues the latter.
 * current_work() cannot tell: it sees no worker from a kprobe's handler.
 */
static bool p9hold_queued_free(struct work_struct *work)
{
	return !refcount_read(&p9hold_rreq(work)->ref) &&
	       p9hold_runs_free(work);
}

/* Whether netfs_free_request(@work) runs in netfs_put_request()'s caller. */
static bool p9hold_called_free(struct work_struct *work)
{
	return !refcount_read(&p9hold_rreq(work)->ref) &&
	       !p9hold_runs_free(work);
}

static bool p9hold_delays(const struct inode *inode)
{
	return p9hold_fstype_is(inode->i_sb->s_type->name);
}

/*
 * Entered in place of netfs_free_request() called by netfs_put_request():
 * what netfs_put_request() does for an asynchronous completion instead.
 */
static noinline void p9hold_defer_free(struct work_struct *work)
{
	atomic_inc(&deferred);
	work->func = p9hold_free_func();
	queue_work(p9hold_wq, work);
	module_put(THIS_MODULE);
}

/* defer=1: a free run in the caller sent to p9hold_defer_free(). */
static int p9hold_defer(struct work_struct *work, struct pt_regs *regs)
{
	if (!READ_ONCE(defer) || !p9hold_delays(p9hold_rreq(work)->inode) ||
	    !try_module_get(THIS_MODULE))
		return 0;
	instruction_pointer_set(regs, (unsigned long)p9hold_defer_free);
	return 1;
}

static int netfs_free_request_called(struct kprobe *p, struct pt_regs *regs)
{
	struct work_struct *work = (void *)regs_get_kernel_argument(regs, 0);
	const struct inode *inode;
	int slot;

	if (p9hold_called_free(work))
		return p9hold_defer(work, regs);
	if (!p9hold_queued_free(work))
		return 0;
	slot = slot_of_work(work);
	if (slot >= 0) {
		slot_put(slot);		/* its second run: let it through */
		return 0;
	}
	inode = p9hold_rreq(work)->inode;
	if (!READ_ONCE(delay_ms) || !p9hold_delays(inode))
		return 0;
	/*
	 * Until the free is queued again: rmmod fails busy meanwhile.  Once
	 * rmmod has begun, divert nothing.
	 */
	if (!try_module_get(THIS_MODULE))
		return 0;
	if (slot_get(inode, work) < 0) {
		module_put(THIS_MODULE);
		return 0;
	}
	instruction_pointer_set(regs, (unsigned long)p9hold_postpone_free);
	return 1;
}

static struct kprobe netfs_free_probe = {
	.symbol_name	= "netfs_free_request",
	.pre_handler	= netfs_free_request_called,
	.post_handler	= v9fs_free_request_post,
};

struct evict_data {
	const struct inode *inode;
	u64 start_ns;
	bool busy;
};

static int evict_entered(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct evict_data *d = (void *)ri->data;

	d->inode = (void *)regs_get_kernel_argument(regs, 0);
	d->busy = slot_busy(d->inode);
	d->start_ns = ktime_get_mono_fast_ns();
	return 0;
}

static void evict_wait_record(u64 us)
{
	int max = atomic_read(&evict_wait_us_max);
	int now = min_t(u64, us, INT_MAX);

	atomic_inc(&evict_waits);
	while (now > max && !atomic_try_cmpxchg(&evict_wait_us_max, &max, now))
		;
}

static int evict_returned(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct evict_data *d = (void *)ri->data;

	if (!d->busy)
		return 0;
	if (slot_busy(d->inode))
		atomic_inc(&evict_early);
	else
		evict_wait_record(div_u64(ktime_get_mono_fast_ns() - d->start_ns,
					  NSEC_PER_USEC));
	return 0;
}

static struct kretprobe evict_probe = {
	.kp.symbol_name	= "v9fs_evict_inode",
	.entry_handler	= evict_entered,
	.handler	= evict_returned,
	.data_size	= sizeof(struct evict_data),
	.maxactive	= 16,
};

/* hold=1 and the eviction counters: 9p's functions, probed for 9p only. */
static int p9hold_register_9p(void)
{
	int ret;

	if (!p9hold_fstype_is("9p"))
		return 0;
	ret = register_kprobe(&free_probe);
	if (ret) {
		pr_err("cannot probe %s (%d): is 9p loaded?\n",
		       free_probe.symbol_name, ret);
		return ret;
	}
	ret = register_kretprobe(&evict_probe);
	if (ret) {
		pr_err("cannot probe %s (%d)\n", evict_probe.kp.symbol_name,
		       ret);
		unregister_kprobe(&free_probe);
	}
	return ret;
}

static void p9hold_unregister_9p(void)
{
	if (!p9hold_fstype_is("9p"))
		return;
	unregister_kretprobe(&evict_probe);
	unregister_kprobe(&free_probe);
}

static int __init p9hold_init(void)
{
	int ret, i;

	if (!IS_ENABLED(CONFIG_X86_64)) {
		pr_err("only x86-64 is supported\n");
		return -EOPNOTSUPP;
	}
	/* hold=1 given before fstype= on the command line: hold_set() took it. */
	if (hold && !p9hold_fstype_is("9p")) {
		pr_err("hold=1 is invalid with fstype=%s: it holds 9p's frees only\n",
		       fstype);
		return -EINVAL;
	}
	for (i = 0; i < P9HOLD_SLOTS; i++)
		INIT_DELAYED_WORK(&slots[i].requeue, p9hold_requeue);
	ret = p9hold_register_9p();
	if (ret)
		return ret;
	ret = register_kprobe(&netfs_free_probe);
	if (ret) {
		pr_err("cannot probe %s (%d)\n", netfs_free_probe.symbol_name,
		       ret);
		p9hold_unregister_9p();
	}
	return ret;
}

/*
 * A diverted free holds a module reference: none is left by now, but a
 * requeue may still be returning from its module_put() (the work's own
 * cancel waits for it), and so may a held free, p9hold_free_request(),
 * which returns into netfs after its module_put(): RCU Tasks waits until
 * every task has left this module's text.
 */
static void __exit p9hold_exit(void)
{
	int i;

	unregister_kprobe(&netfs_free_probe);
	p9hold_unregister_9p();
	for (i = 0; i < P9HOLD_SLOTS; i++)
		cancel_delayed_work_sync(&slots[i].requeue);
	synchronize_rcu_tasks();
}

module_init(p9hold_init);
module_exit(p9hold_exit);

MODULE_DESCRIPTION("Hold or delay 9p's (or another netfs filesystem's) asynchronous request frees (tests only)");
MODULE_LICENSE("GPL");
