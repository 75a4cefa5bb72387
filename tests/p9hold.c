// SPDX-License-Identifier: GPL-2.0
/*
 * p9hold: hold or delay 9p's netfs request frees, on an unmodified kernel,
 * to open the umount race window on purpose (tests only).
 *
 * A kprobe on v9fs_free_request() catches every free of a 9p netfs
 * request that runs on a workqueue (netfs's asynchronous cleanup) and
 * sends it, by the kprobe's documented way of changing the execution path
 * (a pre-handler that sets the instruction pointer and returns non-zero),
 * to p9hold_free_request() instead: it runs in the worker's own context,
 * may sleep, and then does what v9fs_free_request() does (put the
 * request's fid, which clunks it at the last reference; the same two lines
 * in 6.1, 6.12 and 7.3), before returning to netfs's free path as
 * v9fs_free_request() would.  A free that is not on a workqueue, or with
 * neither mode on, is left alone.
 *
 * Parameters (all 0644 unless said):
 *   hold=1         frees wait until 1 is written to "release" (a server
 *                  that does not answer the clunk)
 *   delay_ms=MS    frees sleep MS milliseconds first (0..10000)
 *   release        write-only: let every held free go on
 *   held, delayed  read-only: frees held now, frees delayed or held so far
 *
 * Valid on x86-64, where the probed function's arguments are still in
 * their registers at the probe; the module refuses to load elsewhere.
 */

#define pr_fmt(fmt) "p9hold: " fmt

#include <linux/atomic.h>
#include <linux/delay.h>
#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/netfs.h>
#include <linux/sched.h>
#include <linux/wait.h>
#include <net/9p/9p.h>
#include <net/9p/client.h>

#define P9HOLD_DELAY_MAX_MS	10000

static bool hold;
module_param(hold, bool, 0644);
MODULE_PARM_DESC(hold, "hold 9p's asynchronous request frees until released");

static atomic_t held = ATOMIC_INIT(0);
static atomic_t delayed = ATOMIC_INIT(0);
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
MODULE_PARM_DESC(delayed, "frees delayed or held so far (read-only)");

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
MODULE_PARM_DESC(delay_ms, "delay 9p's asynchronous request frees (0..10000 ms)");

static int release_set(const char *val, const struct kernel_param *kp)
{
	bool on;

	if (kstrtobool(val, &on) || !on) {
		pr_err("release=%s is invalid: write 1 to release the held frees\n",
		       val);
		return -EINVAL;
	}
	atomic_inc(&release_seq);
	wake_up_all(&release_wq);
	return 0;
}

static const struct kernel_param_ops release_ops = {
	.set = release_set,
};
module_param_cb(release, &release_ops, NULL, 0200);
MODULE_PARM_DESC(release, "write 1: let every held free go on");

/*
 * Entered in place of v9fs_free_request(), with its argument and its
 * return address: a plain call as far as anything can tell.
 */
static noinline void p9hold_free_request(struct netfs_io_request *rreq)
{
	int seq = atomic_read(&release_seq);
	unsigned int ms = READ_ONCE(delay_ms);

	atomic_inc(&delayed);
	if (READ_ONCE(hold)) {
		atomic_inc(&held);
		wait_event(release_wq, atomic_read(&release_seq) != seq);
		atomic_dec(&held);
	}
	if (ms)
		msleep(ms);
	/* v9fs_free_request()'s own body. */
	p9_fid_put(rreq->netfs_priv);
	module_put(THIS_MODULE);
}

static int v9fs_free_request_called(struct kprobe *p, struct pt_regs *regs)
{
	if (!(current->flags & PF_WQ_WORKER))
		return 0;
	if (!READ_ONCE(hold) && !READ_ONCE(delay_ms))
		return 0;
	/* Until the diverted free is done: rmmod fails busy meanwhile. */
	__module_get(THIS_MODULE);
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

static int __init p9hold_init(void)
{
	int ret;

	if (!IS_ENABLED(CONFIG_X86_64)) {
		pr_err("only x86-64 is supported\n");
		return -EOPNOTSUPP;
	}
	ret = register_kprobe(&free_probe);
	if (ret)
		pr_err("cannot probe %s (%d): is 9p loaded?\n",
		       free_probe.symbol_name, ret);
	return ret;
}

/* A diverted free holds a module reference: none is left by now. */
static void __exit p9hold_exit(void)
{
	unregister_kprobe(&free_probe);
}

module_init(p9hold_init);
module_exit(p9hold_exit);

MODULE_DESCRIPTION("Hold or delay 9p's asynchronous netfs request frees (tests only)");
MODULE_LICENSE("GPL");
