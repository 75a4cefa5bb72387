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
 *   freed	a kprobe on netfs_free_request_rcu(), the RCU callback every
 *		free path ends in, after io_count has been lowered, both for
 *		the normal put and for netfs_put_failed_request();
 *   waited	a kprobe on __var_waitqueue(), through which every
 *		wait_var_event() on an io_count starts.
 *
 * The probes are found by name by the kprobe and tracepoint cores; nothing
 * looks a symbol up by address and no text is patched but by kprobes.
 * Attaching goes from the end of a request's life to its start, so no
 * request gets a record whose end could be missed, and detaching the other
 * way round; records left at detach are dropped.  Where netfs is a module,
 * it is pinned while tracking is on.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/kmod.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/netfs.h>
#include <linux/string.h>

#include "netfs_iocount_internal.h"

#if defined(NETFS_IOCOUNT_HAVE_NETFS_IO_COUNT) && \
	defined(NETFS_IOCOUNT_HAVE_NETFS_RREQ_RCU) && \
	IS_ENABLED(CONFIG_KRETPROBES) && IS_ENABLED(CONFIG_TRACEPOINTS)

#include <linux/kprobes.h>
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
 * inode's eviction cannot finish before that count drains.
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
	get_task_comm(r.comm, current);
	netfs_iocount_rreq_alloced(&r);
}

static int alloc_returned(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct netfs_io_request *rreq = (void *)regs_return_value(regs);

	if (!IS_ERR_OR_NULL(rreq))
		rreq_record(rreq, get_kretprobe_retaddr(ri));
	return 0;
}

static struct kretprobe alloc_probe = {
	.kp.symbol_name	= "netfs_alloc_request",
	.handler	= alloc_returned,
	.maxactive	= 64,
};

static int free_rcu_called(struct kprobe *p, struct pt_regs *regs)
{
	struct rcu_head *rcu = (void *)regs_get_kernel_argument(regs, 0);

	netfs_iocount_rreq_freed(container_of(rcu, struct netfs_io_request,
					      rcu));
	return 0;
}

static struct kprobe free_probe = {
	.symbol_name	= "netfs_free_request_rcu",
	.pre_handler	= free_rcu_called,
};

static int var_waitqueue_called(struct kprobe *p, struct pt_regs *regs)
{
	netfs_iocount_rreq_waited((void *)regs_get_kernel_argument(regs, 0));
	return 0;
}

static struct kprobe wait_probe = {
	.symbol_name	= "__var_waitqueue",
	.pre_handler	= var_waitqueue_called,
};

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

static bool attached;	/* under netfs_iocount_switch_lock */

/* A kprobe is registered by name each time: the core sets .addr. */
static int register_probe(struct kprobe *kp)
{
	int ret;

	kp->addr = NULL;
	kp->flags = 0;
	ret = register_kprobe(kp);

	if (ret)
		pr_err("track_netfs: cannot probe %s (%d): netfs on this kernel has no such function\n",
		       kp->symbol_name, ret);
	return ret;
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
	ret = register_probe(&wait_probe);
	if (ret)
		goto put_tp;
	ret = tracepoint_probe_register(rreq_tp, rreq_traced, NULL);
	if (ret) {
		pr_err("track_netfs: registering on %s failed (%d)\n",
		       rreq_tp_name, ret);
		goto unregister_wait;
	}
	ret = register_probe(&free_probe);
	if (ret)
		goto unregister_tp;
	alloc_probe.kp.addr = NULL;
	alloc_probe.kp.flags = 0;
	ret = register_kretprobe(&alloc_probe);
	if (ret) {
		pr_err("track_netfs: cannot probe %s's return (%d)\n",
		       alloc_probe.kp.symbol_name, ret);
		goto unregister_free;
	}
	return 0;

unregister_free:
	unregister_kprobe(&free_probe);
unregister_tp:
	tracepoint_probe_unregister(rreq_tp, rreq_traced, NULL);
	tracepoint_synchronize_unregister();
unregister_wait:
	unregister_kprobe(&wait_probe);
put_tp:
	put_rreq_tp();
	return -EOPNOTSUPP;
}

static void detach(void)
{
	unregister_kretprobe(&alloc_probe);
	unregister_kprobe(&free_probe);
	tracepoint_probe_unregister(rreq_tp, rreq_traced, NULL);
	tracepoint_synchronize_unregister();
	unregister_kprobe(&wait_probe);
	put_rreq_tp();
	netfs_iocount_rreq_purge();
}

/* Why tracking cannot work on this kernel, or NULL if it can. */
static const char *netfs_tracking_missing(void)
{
	return NULL;
}

/* Allocations the kretprobe missed (no free instance): no record. */
static unsigned long alloc_missed(void)
{
	return alloc_probe.nmissed;
}

#else /* no io_count, RCU-freed requests, kretprobes or tracepoints */

static bool attached;

static int attach(void)
{
	return -EOPNOTSUPP;
}

static void detach(void)
{
}

static unsigned long alloc_missed(void)
{
	return 0;
}

static const char *netfs_tracking_missing(void)
{
#if !defined(NETFS_IOCOUNT_HAVE_NETFS_IO_COUNT)
	return "netfs has no io_count before 6.10: there, use the glue and track=1";
#elif !defined(NETFS_IOCOUNT_HAVE_NETFS_RREQ_RCU)
	/* A tree with io_count backported, such as 6.1 with the series. */
	return "netfs here has io_count but frees requests with no RCU callback to probe";
#else
	if (!IS_ENABLED(CONFIG_KRETPROBES))
		return "this kernel has no kretprobes (CONFIG_KRETPROBES)";
	return "this kernel has no tracepoints (CONFIG_TRACEPOINTS)";
#endif
}

#endif

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
 * netfs_iocount_netfs_missed - allocations the entry probe missed
 *
 * Return: how many netfs requests were allocated while tracking was on
 * without the probe seeing them (it ran out of instances), so with no
 * record.
 */
unsigned long netfs_iocount_netfs_missed(void)
{
	return netfs_iocount_netfs_tracking() ? alloc_missed() : 0;
}

static bool netfs_tracking_ready;	/* module init has set up the store */
static bool netfs_tracking_wanted;	/* track_netfs=1 at load */

static int netfs_tracking_switch(bool on)
{
	const char *missing = netfs_tracking_missing();
	int ret = 0;

	if (on && missing) {
		pr_err("track_netfs: %s\n", missing);
		return -EOPNOTSUPP;
	}
	mutex_lock(&netfs_iocount_switch_lock);
	if (on && !attached) {
		ret = attach();
		if (!ret) {
			WRITE_ONCE(attached, true);
			netfs_iocount_watchdog_start();
		}
	} else if (!on && attached) {
		netfs_iocount_watchdog_stop();
		WRITE_ONCE(attached, false);
		detach();
	}
	mutex_unlock(&netfs_iocount_switch_lock);
	return ret;
}

static int param_set_track_netfs(const char *val,
				 const struct kernel_param *kp)
{
	bool on;

	if (kstrtobool(val, &on)) {
		pr_err("%s=%s is invalid: expected 0 or 1\n", kp->name, val);
		return -EINVAL;
	}
	/* A load parameter: the records' store does not exist yet. */
	if (!READ_ONCE(netfs_tracking_ready)) {
		if (on && netfs_tracking_missing()) {
			pr_err("track_netfs: %s\n", netfs_tracking_missing());
			return -EOPNOTSUPP;
		}
		netfs_tracking_wanted = on;
		return 0;
	}
	return netfs_tracking_switch(on);
}

static int param_get_track_netfs(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%c\n", netfs_iocount_netfs_tracking() ? 'Y' : 'N');
}

static const struct kernel_param_ops track_netfs_ops = {
	.set = param_set_track_netfs,
	.get = param_get_track_netfs,
};

module_param_cb(track_netfs, &track_netfs_ops, NULL, 0644);
MODULE_PARM_DESC(track_netfs,
		 "record every request of netfs's own (6.10+) and watch for stalls (default 0)");

/**
 * netfs_iocount_netfs_init - attach at module init if asked to at load
 *
 * Context: process context, at the end of module init.
 * Return: 0, or why track_netfs=1 given at load cannot be honoured.
 */
int netfs_iocount_netfs_init(void)
{
	WRITE_ONCE(netfs_tracking_ready, true);
	return netfs_tracking_wanted ? netfs_tracking_switch(true) : 0;
}

/**
 * netfs_iocount_netfs_exit - detach from netfs at module exit
 *
 * Context: process context.
 */
void netfs_iocount_netfs_exit(void)
{
	netfs_tracking_switch(false);
}
