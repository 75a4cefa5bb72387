// SPDX-License-Identifier: GPL-2.0
/*
 * netfs_iocount: tracking of netfs's own requests on a running kernel
 * (6.10+), with no rebuild: the switch track_netfs and the probes behind it.
 *
 * netfs exports no function that sees every request, and its trace events
 * carry the request only where it is already being freed, so the module
 * attaches with what every Debian kernel gives a module:
 *
 *   allocated	a kretprobe on netfs_alloc_request(), which returns the
 *		request with io_count raised (a failed ->init_request
 *		returns an error and raises nothing);
 *   freeing	netfs's trace event netfs_rreq with netfs_rreq_trace_free,
 *		through the tracepoint API, at the start of the free path;
 *   freed	an ftrace callback on netfs_free_request_rcu(), the RCU
 *		callback every free path ends in, after io_count has been
 *		lowered, both for the normal put and for
 *		netfs_put_failed_request();
 *   drained	an ftrace callback on wake_up_var(), which netfs calls on an
 *		io_count that has just reached zero;
 *   waited	an ftrace callback on __var_waitqueue(), through which every
 *		wait_var_event() on an io_count starts.
 *
 * The entry probes are ftrace callbacks, not kprobes, because a kprobe hit
 * while any kprobe handler runs on the CPU is dropped: an RCU callback run
 * from the softirq that interrupted the allocation's handler would lose its
 * free for good, and the record would outlive its request.  ftrace guards
 * against recursion per context (task, softirq, hardirq, NMI), so a free
 * is missed only on real recursion within one context, which none of these
 * handlers causes; a miss is still counted and reported.
 *
 * The probes are found by name by the kprobe, ftrace and tracepoint cores;
 * nothing looks a symbol up by address and no text is patched but by them.
 * Attaching goes from the end of a request's life to its start, so no
 * request gets a record whose end could be missed, and detaching the other
 * way round; records left at detach are dropped.  Where netfs is a module,
 * it is pinned while tracking is on.
 *
 * The handlers run wherever the probed functions run, with a task of any
 * state under them: they take no lock but the records' own (a leaf,
 * taken with interrupts off), never task_lock() nor any lock of the task
 * they interrupted, and what they note of a task (allocated, waited) they
 * note only from task context, where current is that task.  They allocate
 * and take a spinlock_t with preemption off, which PREEMPT_RT forbids:
 * there, track_netfs is refused.
 *
 * The switch itself, track_netfs, is netfs_iocount_main.c's.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/kmod.h>
#include <linux/module.h>
#include <linux/netfs.h>
#include <linux/preempt.h>
#include <linux/string.h>

#include "netfs_iocount_internal.h"

#if defined(NETFS_IOCOUNT_HAVE_NETFS_IO_COUNT) && \
	defined(NETFS_IOCOUNT_HAVE_NETFS_RREQ_RCU) && \
	IS_ENABLED(CONFIG_KRETPROBES) && IS_ENABLED(CONFIG_TRACEPOINTS) && \
	IS_ENABLED(CONFIG_DYNAMIC_FTRACE_WITH_ARGS) && \
	!IS_ENABLED(CONFIG_PREEMPT_RT)

#include <linux/ftrace.h>
#include <linux/kprobes.h>
#include <linux/rcupdate.h>
#include <linux/tracepoint.h>
#include <trace/events/netfs.h>

/* netfs's origins by name, from its own list in its trace header. */
static const struct {
	unsigned int origin;
	const char *name;
} rreq_origins[] = {
#undef EM
#undef E_
#define EM(a, b) { a, #a },
#define E_(a, b) { a, #a }
	netfs_rreq_origins
#undef EM
#undef E_
};

static const char *rreq_origin(unsigned int origin)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(rreq_origins); i++)
		if (rreq_origins[i].origin == origin)
			return rreq_origins[i].name;
	return "NETFS_(unknown origin)";
}

/*
 * Everything a report needs, copied while @rreq and its inode are alive:
 * netfs_alloc_request() has just returned it with io_count raised, and the
 * inode's eviction cannot finish before that count drains.  Task context:
 * current is the allocating task.
 */
static void rreq_record(const struct netfs_io_request *rreq,
			unsigned long caller)
{
	const struct inode *inode = rreq->inode;
	struct netfs_iocount_rreq r = {
		.rreq		= rreq,
		.counter	= &netfs_inode((struct inode *)inode)->io_count,
		.sb		= inode->i_sb,
		.ino		= inode->i_ino,
		.debug_id	= rreq->debug_id,
		.origin		= rreq_origin(rreq->origin),
		.pid		= task_pid_nr(current),
		.caller		= caller,
		.stack		= netfs_iocount_stack_save(caller),
		.start		= jiffies,
	};

	strscpy(r.s_id, inode->i_sb->s_id, sizeof(r.s_id));
	strscpy(r.fstype, inode->i_sb->s_type->name, sizeof(r.fstype));
	netfs_iocount_current_comm(r.comm);
	netfs_iocount_rreq_alloced(&r);
}

static int alloc_returned(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct netfs_io_request *rreq = (void *)regs_return_value(regs);

	if (IS_ERR_OR_NULL(rreq))
		return 0;
	/*
	 * netfs allocates with GFP_KERNEL: never seen elsewhere, but counted.
	 * A return handler runs in the probed function's context.
	 */
	if (!in_task()) {
		netfs_iocount_rreq_lost();
		return 0;
	}
	rreq_record(rreq, get_kretprobe_retaddr(ri));
	return 0;
}

/* .maxactive is set at each attach: alloc_maxactive(). */
static struct kretprobe alloc_probe = {
	.kp.symbol_name	= "netfs_alloc_request",
	.handler	= alloc_returned,
};

/*
 * Instances of the return probe: one is held by every task inside
 * netfs_alloc_request(), which allocates with GFP_KERNEL and calls the
 * filesystem's ->init_request, so it sleeps, and a machine under memory
 * pressure has many tasks in it at once.  The kretprobe core's default
 * (2 per CPU, at least 10) is for functions that do not sleep; four per
 * CPU, at least 64, costs a few kilobytes.  An allocation that finds none
 * free goes unrecorded and is counted in the reports.
 */
static int alloc_maxactive(void)
{
	return max_t(int, 64, 4 * num_possible_cpus());
}

/*
 * An entry probe: an ftrace callback on one function.  Its misses are the
 * calls it saw but let go, on recursion within one context or with RCU not
 * watching (idle), counted since attached.
 */
struct entry_probe {
	struct ftrace_ops ops;
	const char *symbol;
	atomic_long_t missed;
};

/*
 * Whether @p's callback may go on: not recursing in this context, and RCU
 * watching, as the records' lookup needs.  On 0 or more, preemption is off
 * until entry_probe_end().
 */
static int entry_probe_begin(struct entry_probe *p, unsigned long ip,
			     unsigned long parent_ip)
{
	int bit = ftrace_test_recursion_trylock(ip, parent_ip);

	if (bit >= 0 && !rcu_is_watching()) {
		ftrace_test_recursion_unlock(bit);
		bit = -1;
	}
	if (bit < 0)
		atomic_long_inc(&p->missed);
	return bit;
}

static void entry_probe_end(int bit)
{
	ftrace_test_recursion_unlock(bit);
}

static void free_rcu_called(unsigned long ip, unsigned long parent_ip,
			    struct ftrace_ops *op, struct ftrace_regs *fregs);
static void wake_up_var_called(unsigned long ip, unsigned long parent_ip,
			       struct ftrace_ops *op,
			       struct ftrace_regs *fregs);
static void var_waitqueue_called(unsigned long ip, unsigned long parent_ip,
				 struct ftrace_ops *op,
				 struct ftrace_regs *fregs);

static struct entry_probe free_probe = {
	.ops.func	= free_rcu_called,
	.symbol		= "netfs_free_request_rcu",
};

static struct entry_probe drain_probe = {
	.ops.func	= wake_up_var_called,
	.symbol		= "wake_up_var",
};

static struct entry_probe wait_probe = {
	.ops.func	= var_waitqueue_called,
	.symbol		= "__var_waitqueue",
};

/*
 * An RCU callback: softirq context, or an rcuo kthread.  It must be seen
 * wherever it runs, or the record would outlive its request; it notes
 * nothing of current and takes only the records' lock.
 */
static void free_rcu_called(unsigned long ip, unsigned long parent_ip,
			    struct ftrace_ops *op, struct ftrace_regs *fregs)
{
	struct rcu_head *rcu;
	int bit;

	bit = entry_probe_begin(&free_probe, ip, parent_ip);
	if (bit < 0)
		return;
	rcu = (void *)ftrace_regs_get_argument(fregs, 0);
	netfs_iocount_rreq_freed(container_of(rcu, struct netfs_io_request,
					      rcu));
	entry_probe_end(bit);
}

/*
 * netfs wakes an io_count's waiters when it has reached zero; every other
 * wake_up_var() of the kernel costs a lockless lookup.  Any context.
 */
static void wake_up_var_called(unsigned long ip, unsigned long parent_ip,
			       struct ftrace_ops *op,
			       struct ftrace_regs *fregs)
{
	int bit;

	bit = entry_probe_begin(&drain_probe, ip, parent_ip);
	if (bit < 0)
		return;
	netfs_iocount_rreq_drained((void *)ftrace_regs_get_argument(fregs, 0));
	entry_probe_end(bit);
}

/*
 * Every wait_var_event() and wake_up_var() in the kernel comes through
 * __var_waitqueue().  A wait sleeps, so it runs in task context; a wake-up
 * may come from a hard or soft interrupt, over a task that holds anything,
 * and its current is no waiter: nothing to note there.
 */
static void var_waitqueue_called(unsigned long ip, unsigned long parent_ip,
				 struct ftrace_ops *op,
				 struct ftrace_regs *fregs)
{
	int bit;

	if (!in_task())
		return;
	bit = entry_probe_begin(&wait_probe, ip, parent_ip);
	if (bit < 0)
		return;
	netfs_iocount_rreq_waited((void *)ftrace_regs_get_argument(fregs, 0));
	entry_probe_end(bit);
}

/* Keyed by the request only: no task is noted, any context will do. */
static void rreq_traced(void *data, struct netfs_io_request *rreq,
			enum netfs_rreq_trace what)
{
	if (what == netfs_rreq_trace_free)
		netfs_iocount_rreq_freeing(rreq);
}

/* ---- finding netfs's trace event, built in or in netfs.ko ---- */

static const char rreq_tp_name[] = "netfs_rreq";
static struct tracepoint *rreq_tp;
static struct module *netfs_mod;	/* pinned while attached, if modular */

static void find_builtin_tp(struct tracepoint *tp, void *priv)
{
	if (!strcmp(tp->name, rreq_tp_name))
		rreq_tp = tp;
}

/* Called for every module with trace events, under their list's lock. */
static int find_module_tp(struct notifier_block *nb, unsigned long val,
			  void *data)
{
	struct tp_module *tp_mod = data;
	struct module *mod = tp_mod->mod;
	struct tracepoint *tp;
	unsigned int i;

	if (val != MODULE_STATE_COMING || rreq_tp)
		return NOTIFY_DONE;
	for (i = 0; i < mod->num_tracepoints; i++) {
		tp = tracepoint_ptr_deref(&mod->tracepoints_ptrs[i]);
		if (strcmp(tp->name, rreq_tp_name) || !try_module_get(mod))
			continue;
		rreq_tp = tp;
		netfs_mod = mod;
		break;
	}
	return NOTIFY_DONE;
}

static struct notifier_block find_module_nb = {
	.notifier_call = find_module_tp,
};

static int find_rreq_tp(void)
{
	int ret;

	for_each_kernel_tracepoint(find_builtin_tp, NULL);
	if (rreq_tp)
		return 0;
	if (IS_MODULE(CONFIG_NETFS_SUPPORT))
		request_module("netfs");
	ret = register_tracepoint_module_notifier(&find_module_nb);
	if (ret)
		return ret;
	unregister_tracepoint_module_notifier(&find_module_nb);
	return rreq_tp ? 0 : -ENOENT;
}

static void put_rreq_tp(void)
{
	rreq_tp = NULL;
	if (netfs_mod)
		module_put(netfs_mod);
	netfs_mod = NULL;
}

/* ---- attach and detach ---- */

/*
 * An entry probe's filter is its one function, set anew by name at each
 * attach (netfs may have been reloaded since), replacing the last one, and
 * freed only at module exit, when the ops are never used again: before
 * 6.15 ("ftrace: Reinitialize hash to EMPTY_HASH after freeing"),
 * ftrace_free_filter() leaves the ops pointing at the hashes it freed, and
 * the next ftrace_set_filter() frees them again (on Debian's 6.12, a freed
 * hash's RCU callback then runs from reused memory).  Its misses count
 * from this attach.
 */
static int register_entry_probe(struct entry_probe *p)
{
	char name[KSYM_NAME_LEN];
	int ret;

	atomic_long_set(&p->missed, 0);
	strscpy(name, p->symbol, sizeof(name));
	ret = ftrace_set_filter(&p->ops, name, strlen(name), 1);
	if (!ret)
		ret = register_ftrace_function(&p->ops);
	if (ret)
		pr_err("track_netfs: cannot trace %s (%d): netfs on this kernel has no such function, or it is not traceable\n",
		       p->symbol, ret);
	return ret;
}

/* Once this returns, no callback of @p runs or can start. */
static void unregister_entry_probe(struct entry_probe *p)
{
	unregister_ftrace_function(&p->ops);
}

static int attach(void)
{
	int ret;

	ret = find_rreq_tp();
	if (ret) {
		pr_err("track_netfs: netfs's trace event %s is not there: is netfs loaded?\n",
		       rreq_tp_name);
		return -EOPNOTSUPP;
	}
	check_trace_callback_type_netfs_rreq(rreq_traced);
	ret = register_entry_probe(&wait_probe);
	if (ret)
		goto put_tp;
	ret = register_entry_probe(&drain_probe);
	if (ret)
		goto unregister_wait;
	ret = tracepoint_probe_register(rreq_tp, rreq_traced, NULL);
	if (ret) {
		pr_err("track_netfs: registering on %s failed (%d)\n",
		       rreq_tp_name, ret);
		goto unregister_drain;
	}
	ret = register_entry_probe(&free_probe);
	if (ret)
		goto unregister_tp;
	alloc_probe.kp.addr = NULL;
	alloc_probe.kp.flags = 0;
	alloc_probe.kp.nmissed = 0;
	alloc_probe.nmissed = 0;
	alloc_probe.maxactive = alloc_maxactive();
	ret = register_kretprobe(&alloc_probe);
	if (ret) {
		pr_err("track_netfs: cannot probe %s's return (%d)\n",
		       alloc_probe.kp.symbol_name, ret);
		goto unregister_free;
	}
	return 0;

unregister_free:
	unregister_entry_probe(&free_probe);
unregister_tp:
	tracepoint_probe_unregister(rreq_tp, rreq_traced, NULL);
	tracepoint_synchronize_unregister();
unregister_drain:
	unregister_entry_probe(&drain_probe);
unregister_wait:
	unregister_entry_probe(&wait_probe);
put_tp:
	put_rreq_tp();
	return -EOPNOTSUPP;
}

static void detach(void)
{
	unregister_kretprobe(&alloc_probe);
	unregister_entry_probe(&free_probe);
	tracepoint_probe_unregister(rreq_tp, rreq_traced, NULL);
	tracepoint_synchronize_unregister();
	unregister_entry_probe(&drain_probe);
	unregister_entry_probe(&wait_probe);
	put_rreq_tp();
	netfs_iocount_rreq_purge();
}

/* Module exit, detached for good: the entry probes' filters go, once. */
static void probes_free(void)
{
	ftrace_free_filter(&free_probe.ops);
	ftrace_free_filter(&drain_probe.ops);
	ftrace_free_filter(&wait_probe.ops);
}

/* Why tracking cannot work on this kernel, or NULL if it can. */
static const char *netfs_tracking_missing(void)
{
	return NULL;
}

/*
 * What the probes missed since this attach: for the return probe, a hit
 * while another kprobe ran on the CPU (kp.nmissed, a plain counter of the
 * kprobe core, read while it may move) and a call that found no free
 * instance (nmissed); for the entry probes, what entry_probe_begin() let go.
 */
static void probes_missed(struct netfs_iocount_netfs_misses *m)
{
	m->alloc = READ_ONCE(alloc_probe.kp.nmissed);
	m->alloc_no_instance = READ_ONCE(alloc_probe.nmissed);
	m->maxactive = alloc_probe.maxactive;
	m->freed = atomic_long_read(&free_probe.missed);
	m->drained = atomic_long_read(&drain_probe.missed);
	m->waited = atomic_long_read(&wait_probe.missed);
}

#else /* no io_count, RCU-freed requests, kretprobes, tracepoints or ftrace; RT */

static int attach(void)
{
	return -EOPNOTSUPP;
}

static void detach(void)
{
}

static void probes_missed(struct netfs_iocount_netfs_misses *m)
{
}

static void probes_free(void)
{
}

static const char *netfs_tracking_missing(void)
{
#if !defined(NETFS_IOCOUNT_HAVE_NETFS_IO_COUNT)
	return "netfs has no io_count before 6.10: there, use the glue and track=1";
#elif !defined(NETFS_IOCOUNT_HAVE_NETFS_RREQ_RCU)
	/* A tree with io_count backported, such as 6.1 with the series. */
	return "netfs here has io_count but frees requests with no RCU callback to probe";
#else
	if (IS_ENABLED(CONFIG_PREEMPT_RT))
		return "not on PREEMPT_RT: the handlers allocate with preemption off";
	if (!IS_ENABLED(CONFIG_KRETPROBES))
		return "this kernel has no kretprobes (CONFIG_KRETPROBES)";
	if (!IS_ENABLED(CONFIG_DYNAMIC_FTRACE_WITH_ARGS))
		return "ftrace here passes no arguments (DYNAMIC_FTRACE_WITH_ARGS)";
	return "this kernel has no tracepoints (CONFIG_TRACEPOINTS)";
#endif
}

#endif

/*
 * The one state of track_netfs: set once attached, cleared before
 * detaching.  The caller serialises attach and detach.
 */
static bool attached;

/**
 * netfs_iocount_netfs_tracking - whether netfs's requests are tracked
 *
 * Return: true while the probes are attached.
 */
bool netfs_iocount_netfs_tracking(void)
{
	return READ_ONCE(attached);
}

/**
 * netfs_iocount_netfs_missing - why netfs's requests cannot be tracked here
 *
 * Return: a line saying what this kernel or build lacks, or NULL if
 * netfs_iocount_netfs_attach() can work.
 */
const char *netfs_iocount_netfs_missing(void)
{
	return netfs_tracking_missing();
}

/**
 * netfs_iocount_netfs_attach - attach the probes, if not attached
 *
 * Context: process context; the caller serialises attach and detach.
 * Return: 0, or -EOPNOTSUPP (said why in the kernel log).
 */
int netfs_iocount_netfs_attach(void)
{
	int ret;

	if (attached)
		return 0;
	ret = attach();
	if (!ret)
		WRITE_ONCE(attached, true);
	return ret;
}

/**
 * netfs_iocount_netfs_detach - detach the probes, if attached
 *
 * Once it returns no handler runs or can start, and every record is gone.
 *
 * Context: process context; the caller serialises attach and detach.
 */
void netfs_iocount_netfs_detach(void)
{
	if (!attached)
		return;
	WRITE_ONCE(attached, false);
	detach();
}

/**
 * netfs_iocount_netfs_exit - free what the probes keep across attaches
 *
 * Context: module exit, detached for good.
 */
void netfs_iocount_netfs_exit(void)
{
	probes_free();
}

/**
 * netfs_iocount_netfs_misses - what the probes missed since attached
 * @m: where to store it; all zero while not attached
 *
 * A missed allocation leaves its request without a record, a missed free
 * leaves a record behind its request (it may be reported stalled), a
 * missed wait leaves a request's waiter unnamed.
 */
void netfs_iocount_netfs_misses(struct netfs_iocount_netfs_misses *m)
{
	memset(m, 0, sizeof(*m));
	if (netfs_iocount_netfs_tracking())
		probes_missed(m);
}

/**
 * netfs_iocount_netfs_missed - allocations the entry probe missed
 *
 * Return: how many netfs requests were allocated while tracking was on
 * without the probe seeing them (it was hit inside another probe, or ran
 * out of instances), so with no record.
 */
unsigned long netfs_iocount_netfs_missed(void)
{
	struct netfs_iocount_netfs_misses m;

	netfs_iocount_netfs_misses(&m);
	return m.alloc + m.alloc_no_instance;
}
