// SPDX-License-Identifier: GPL-2.0
/*
 * netfs_iocount_bench: what a begin/end pair costs, next to the kernel's own
 * primitives, in the shape of kernel/rcu/refscale.c: one ops entry per
 * primitive, kthreads pinned one per CPU, a synchronised start, warm-up,
 * many runs, median and min/max nanoseconds per pair.
 *
 * Each primitive runs in three shapes: one thread; every CPU on one shared
 * counter; every CPU on a private counter.  Then the wake-up latency: time
 * from the last end to the waiter running, for netfs_iocount_wait(), a
 * wait_queue_head and a completion.
 *
 * Loading the module runs everything and prints one line per figure,
 *   BENCH <primitive> <shape> median_ps=N min_ps=N max_ps=N
 *   BENCH_LATENCY <mechanism> median_ns=N min_ns=N max_ns=N
 * and the module stays loaded until rmmod.  scripts/bench turns the lines
 * into ratios to the bare atomic pair measured in the same run.
 * Only ratios within one run mean anything: under emulation (TCG) atomics
 * are emulated and absolute times are meaningless.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/completion.h>
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/percpu-refcount.h>
#include <linux/refcount.h>
#include <linux/shmem_fs.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <linux/wait_bit.h>

#include "../netfs_iocount.h"
#include "netfs_iocount_test_compat.h"
#include "netfs_iocount_test_param.h"

#define BENCH_MAX_RUNS		101
#define BENCH_MAX_SAMPLES	10000

static unsigned int loops = 100000;
static unsigned int runs = 15;
static unsigned int warmups = 3;
static unsigned int samples = 200;

NETFS_IOCOUNT_TEST_PARAM(loops, 1, 100000000,
			 "begin/end pairs per run (default 100000)");
NETFS_IOCOUNT_TEST_PARAM(runs, 1, BENCH_MAX_RUNS,
			 "timed runs per figure (default 15)");
NETFS_IOCOUNT_TEST_PARAM(warmups, 0, 100, "untimed runs first (default 3)");
NETFS_IOCOUNT_TEST_PARAM(samples, 1, BENCH_MAX_SAMPLES,
	    "wake-ups timed per mechanism (default 200)");

/* One counter of each kind; a primitive uses its own. */
struct bench_obj {
	struct netfs_iocount ic;
	atomic_t atomic;
	refcount_t ref;
	struct percpu_ref pcpu;
	spinlock_t lock;
	int locked_count;
	wait_queue_head_t wq;
	struct file *file;		/* a real inode, for inode_dio_* */
} ____cacheline_aligned_in_smp;

struct bench_ops {
	const char *name;
	int (*init)(struct bench_obj *o);
	void (*exit)(struct bench_obj *o);
	void (*pairs)(struct bench_obj *o, unsigned int n);
};

static void pairs_iocount(struct bench_obj *o, unsigned int n)
{
	while (n--) {
		netfs_iocount_begin(&o->ic);
		netfs_iocount_end(&o->ic);
	}
}

static int init_stats(struct bench_obj *o)
{
	netfs_iocount_set_stats(true);
	return 0;
}

static void exit_stats(struct bench_obj *o)
{
	netfs_iocount_set_stats(false);
}

static int init_tracking(struct bench_obj *o)
{
	netfs_iocount_set_tracking(true);
	return 0;
}

static void exit_tracking(struct bench_obj *o)
{
	netfs_iocount_set_tracking(false);
}

/*
 * "held": one request stays outstanding for the whole run, so no end
 * reaches zero and none wakes: the pair without the wake-up that a pair
 * reaching zero must do (the floor never wakes anyone).
 */
static int init_iocount_held(struct bench_obj *o)
{
	netfs_iocount_begin(&o->ic);
	return 0;
}

static void exit_iocount_held(struct bench_obj *o)
{
	netfs_iocount_end(&o->ic);
}

/*
 * The end netfs_iocount had before its underflow containment became
 * atomic_fetch_add_unless(): atomic_dec_return(), the count left below
 * zero and undone later on underflow.  Kept to measure what the change
 * costs.
 */
static void pairs_dec_return(struct bench_obj *o, unsigned int n)
{
	int left;

	while (n--) {
		atomic_inc(&o->ic.count);
		left = atomic_dec_return(&o->ic.count);
		if (likely(left > 0))
			continue;
		if (left == 0)
			wake_up_var(&o->ic.count);
		else
			atomic_inc(&o->ic.count);
	}
}

static void pairs_atomic(struct bench_obj *o, unsigned int n)
{
	while (n--) {
		atomic_inc(&o->atomic);
		if (atomic_dec_and_test(&o->atomic))
			barrier();
	}
}

static void pairs_atomic_wake(struct bench_obj *o, unsigned int n)
{
	while (n--) {
		atomic_inc(&o->atomic);
		atomic_dec_and_wake_up(&o->atomic);
	}
}

static int init_dio(struct bench_obj *o)
{
	o->file = shmem_file_setup("netfs_iocount_bench", 0, COMPAT_SHMEM_NO_FLAGS);
	return PTR_ERR_OR_ZERO(o->file);
}

static void exit_dio(struct bench_obj *o)
{
	fput(o->file);
}

static int init_dio_held(struct bench_obj *o)
{
	int ret = init_dio(o);

	if (!ret)
		inode_dio_begin(file_inode(o->file));
	return ret;
}

static void exit_dio_held(struct bench_obj *o)
{
	inode_dio_end(file_inode(o->file));
	exit_dio(o);
}

static void pairs_dio(struct bench_obj *o, unsigned int n)
{
	struct inode *inode = file_inode(o->file);

	while (n--) {
		inode_dio_begin(inode);
		inode_dio_end(inode);
	}
}

static void pairs_refcount(struct bench_obj *o, unsigned int n)
{
	while (n--) {
		refcount_inc(&o->ref);
		if (refcount_dec_and_test(&o->ref))
			barrier();
	}
}

static void pcpu_release(struct percpu_ref *ref)
{
}

static int init_pcpu(struct bench_obj *o)
{
	return percpu_ref_init(&o->pcpu, pcpu_release, 0, GFP_KERNEL);
}

static int init_pcpu_atomic(struct bench_obj *o)
{
	int ret = percpu_ref_init(&o->pcpu, pcpu_release, 0, GFP_KERNEL);

	if (!ret)
		percpu_ref_switch_to_atomic_sync(&o->pcpu);
	return ret;
}

static void exit_pcpu(struct bench_obj *o)
{
	percpu_ref_exit(&o->pcpu);
}

static void pairs_pcpu(struct bench_obj *o, unsigned int n)
{
	while (n--) {
		percpu_ref_get(&o->pcpu);
		percpu_ref_put(&o->pcpu);
	}
}

/* The naive design: a spinlock-protected count and a wait_queue_head. */
static void pairs_locked(struct bench_obj *o, unsigned int n)
{
	bool zero;

	while (n--) {
		spin_lock(&o->lock);
		o->locked_count++;
		spin_unlock(&o->lock);
		spin_lock(&o->lock);
		zero = !--o->locked_count;
		spin_unlock(&o->lock);
		if (zero)
			wake_up(&o->wq);
	}
}

static const struct bench_ops bench_ops[] = {
	{ "atomic_pair", NULL, NULL, pairs_atomic },	/* the floor: first */
	{ "netfs_iocount", NULL, NULL, pairs_iocount },
	{ "netfs_iocount_held", init_iocount_held, exit_iocount_held,
	  pairs_iocount },
	{ "dec_return_end", NULL, NULL, pairs_dec_return },
	{ "dec_return_end_held", init_iocount_held, exit_iocount_held,
	  pairs_dec_return },
	{ "netfs_iocount_stats", init_stats, exit_stats, pairs_iocount },
	{ "netfs_iocount_tracking", init_tracking, exit_tracking, pairs_iocount },
	{ "atomic_dec_and_wake_up", NULL, NULL, pairs_atomic_wake },
	{ "inode_dio", init_dio, exit_dio, pairs_dio },
	{ "inode_dio_held", init_dio_held, exit_dio_held, pairs_dio },
	{ "refcount", NULL, NULL, pairs_refcount },
	{ "percpu_ref", init_pcpu, exit_pcpu, pairs_pcpu },
	{ "percpu_ref_atomic", init_pcpu_atomic, exit_pcpu, pairs_pcpu },
	{ "spinlock_waitqueue", NULL, NULL, pairs_locked },
};

enum bench_shape { SHAPE_SINGLE, SHAPE_SHARED, SHAPE_PRIVATE };
static const char *const shape_names[] = { "single", "shared", "private" };

/* One figure being measured: a primitive in a shape. */
struct bench_job {
	const struct bench_ops *ops;
	struct bench_obj *objs;
	bool private;
	int nthreads;
	atomic_t arrived;
	atomic_t generation;
	u64 *ns;			/* [run][thread] */
	atomic_t left;
	struct completion done;
};

/* Spin until every thread of @job has arrived: the synchronised start. */
static void bench_barrier(struct bench_job *job)
{
	int gen = atomic_read(&job->generation);

	if (atomic_inc_return(&job->arrived) == job->nthreads) {
		atomic_set(&job->arrived, 0);
		atomic_inc(&job->generation);
		return;
	}
	while (atomic_read(&job->generation) == gen)
		cpu_relax();
}

struct bench_thread {
	struct bench_job *job;
	int index;
};

static int bench_thread_fn(void *data)
{
	struct bench_thread *bt = data;
	struct bench_job *job = bt->job;
	struct bench_obj *o = &job->objs[job->private ? bt->index : 0];
	unsigned int i;
	u64 start;

	for (i = 0; i < warmups; i++)
		job->ops->pairs(o, loops);
	for (i = 0; i < runs; i++) {
		bench_barrier(job);
		start = ktime_get_ns();
		job->ops->pairs(o, loops);
		job->ns[i * job->nthreads + bt->index] = ktime_get_ns() - start;
	}
	if (atomic_dec_and_test(&job->left))
		complete(&job->done);
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

static void bench_report(const char *tag, const char *name, const char *shape,
			 const char *unit, u64 *v, unsigned int n)
{
	sort(v, n, sizeof(*v), cmp_u64, NULL);
	pr_info("%s %s%s%s median_%s=%llu min_%s=%llu max_%s=%llu\n", tag, name,
		shape ? " " : "", shape ?: "", unit, v[n / 2], unit, v[0],
		unit, v[n - 1]);
}

static int bench_objs_init(const struct bench_ops *ops, struct bench_obj *objs,
			   int n)
{
	int i, ret;

	for (i = 0; i < n; i++) {
		netfs_iocount_init(&objs[i].ic);
		atomic_set(&objs[i].atomic, 0);
		refcount_set(&objs[i].ref, 1);
		spin_lock_init(&objs[i].lock);
		init_waitqueue_head(&objs[i].wq);
		if (!ops->init)
			continue;
		ret = ops->init(&objs[i]);
		if (ret) {
			while (i--)
				ops->exit(&objs[i]);
			return ret;
		}
	}
	return 0;
}

/* Measure @ops in @shape and print its line. */
static int bench_one(const struct bench_ops *ops, enum bench_shape shape)
{
	int nthreads = shape == SHAPE_SINGLE ? 1 : num_online_cpus();
	struct task_struct **tasks = NULL;
	struct bench_thread *bt;
	struct bench_job job = {
		.ops = ops,
		.private = shape == SHAPE_PRIVATE,
		.nthreads = nthreads,
	};
	u64 *per_run;
	int cpu, i = 0, ret = -ENOMEM;
	unsigned int r, t;

	job.objs = kcalloc(nthreads, sizeof(*job.objs), GFP_KERNEL);
	job.ns = kcalloc(runs * nthreads, sizeof(*job.ns), GFP_KERNEL);
	per_run = kcalloc(runs, sizeof(*per_run), GFP_KERNEL);
	bt = kcalloc(nthreads, sizeof(*bt), GFP_KERNEL);
	tasks = kcalloc(nthreads, sizeof(*tasks), GFP_KERNEL);
	if (!job.objs || !job.ns || !per_run || !bt || !tasks)
		goto out;
	ret = bench_objs_init(ops, job.objs, job.private ? nthreads : 1);
	if (ret)
		goto out;
	atomic_set(&job.left, nthreads);
	init_completion(&job.done);

	/* Create every thread before starting any: a failure leaves none. */
	for_each_online_cpu(cpu) {
		if (i == nthreads)
			break;
		bt[i].job = &job;
		bt[i].index = i;
		tasks[i] = kthread_create_on_cpu(bench_thread_fn, &bt[i], cpu,
						 "iocount-bench/%u");
		if (IS_ERR(tasks[i])) {
			ret = PTR_ERR(tasks[i]);
			while (i--)
				kthread_stop(tasks[i]);
			goto out_exit;
		}
		i++;
	}
	for (i = 0; i < nthreads; i++)
		wake_up_process(tasks[i]);
	wait_for_completion(&job.done);

	/* A run's figure: the mean over threads, in picoseconds per pair. */
	for (r = 0; r < runs; r++) {
		for (t = 0; t < nthreads; t++)
			per_run[r] += job.ns[r * nthreads + t];
		per_run[r] = div_u64(per_run[r] * 1000, (u64)nthreads * loops);
	}
	bench_report("BENCH", ops->name, shape_names[shape], "ps", per_run, runs);
	ret = 0;
out_exit:
	if (ops->exit)
		for (i = 0; i < (job.private ? nthreads : 1); i++)
			ops->exit(&job.objs[i]);
out:
	kfree(tasks);
	kfree(bt);
	kfree(per_run);
	kfree(job.ns);
	kfree(job.objs);
	return ret;
}

/* ---- wake-up latency: last end to waiter running ---- */

enum bench_mech { MECH_IOCOUNT, MECH_WAITQUEUE, MECH_COMPLETION };
static const char *const mech_names[] = {
	"netfs_iocount_wait", "wait_queue_head", "completion"
};

struct bench_latency {
	enum bench_mech mech;
	struct netfs_iocount ic;
	wait_queue_head_t wq;
	bool flag;
	struct completion comp;
	struct completion round_done;
	u64 woken_at;
	bool waiting;			/* the waiter is in the wait under test */
	bool stop;
};

static int latency_waiter_fn(void *data)
{
	struct bench_latency *l = data;

	while (!READ_ONCE(l->stop)) {
		WRITE_ONCE(l->waiting, true);
		switch (l->mech) {
		case MECH_IOCOUNT:
			netfs_iocount_wait(&l->ic);
			break;
		case MECH_WAITQUEUE:
			wait_event(l->wq, READ_ONCE(l->flag));
			break;
		case MECH_COMPLETION:
			wait_for_completion(&l->comp);
			break;
		}
		WRITE_ONCE(l->woken_at, ktime_get_ns());
		WRITE_ONCE(l->waiting, false);
		complete(&l->round_done);
		/* Wait for the next round to be armed. */
		while (!READ_ONCE(l->stop) && READ_ONCE(l->woken_at))
			usleep_range(50, 100);
	}
	return 0;
}

/* Arm the next round: make the waiter's condition false. */
static void latency_arm(struct bench_latency *l)
{
	if (l->mech == MECH_IOCOUNT)
		netfs_iocount_begin(&l->ic);
	WRITE_ONCE(l->flag, false);
	reinit_completion(&l->round_done);
	WRITE_ONCE(l->woken_at, 0);
}

static u64 latency_fire(struct bench_latency *l)
{
	u64 start = ktime_get_ns();

	switch (l->mech) {
	case MECH_IOCOUNT:
		netfs_iocount_end(&l->ic);
		break;
	case MECH_WAITQUEUE:
		WRITE_ONCE(l->flag, true);
		wake_up(&l->wq);
		break;
	case MECH_COMPLETION:
		complete(&l->comp);
		break;
	}
	return start;
}

static int bench_latency(enum bench_mech mech)
{
	struct bench_latency *l;
	struct task_struct *task;
	u64 *lat, start;
	unsigned int s;
	int cpu = num_online_cpus() > 1 ? 1 : 0;

	l = kzalloc(sizeof(*l), GFP_KERNEL);
	lat = kcalloc(samples, sizeof(*lat), GFP_KERNEL);
	if (!l || !lat) {
		kfree(lat);
		kfree(l);
		return -ENOMEM;
	}
	l->mech = mech;
	netfs_iocount_init(&l->ic);
	init_waitqueue_head(&l->wq);
	init_completion(&l->comp);
	init_completion(&l->round_done);
	latency_arm(l);

	task = kthread_create_on_cpu(latency_waiter_fn, l, cpu,
				     "iocount-wake/%u");
	if (IS_ERR(task)) {
		kfree(lat);
		kfree(l);
		return PTR_ERR(task);
	}
	get_task_struct(task);
	wake_up_process(task);
	for (s = 0; s < samples; s++) {
		/* Fire only once the waiter sleeps, so the wake-up is real. */
		while (!READ_ONCE(l->waiting) ||
		       netfs_iocount_task_state(task) == TASK_RUNNING)
			usleep_range(100, 200);
		start = latency_fire(l);
		wait_for_completion(&l->round_done);
		lat[s] = READ_ONCE(l->woken_at) - start;
		if (s + 1 < samples)
			latency_arm(l);
	}
	WRITE_ONCE(l->stop, true);
	WRITE_ONCE(l->woken_at, 0);
	kthread_stop(task);
	put_task_struct(task);
	bench_report("BENCH_LATENCY", mech_names[mech], NULL, "ns", lat,
		     samples);
	kfree(lat);
	kfree(l);
	return 0;
}

static int __init bench_init(void)
{
	int i, shape, ret;

	pr_info("BENCH_CONFIG cpus=%u loops=%u runs=%u warmups=%u samples=%u\n",
		num_online_cpus(), loops, runs, warmups, samples);
	for (i = 0; i < ARRAY_SIZE(bench_ops); i++) {
		for (shape = SHAPE_SINGLE; shape <= SHAPE_PRIVATE; shape++) {
			ret = bench_one(&bench_ops[i], shape);
			if (ret)
				return ret;
		}
	}
	for (i = MECH_IOCOUNT; i <= MECH_COMPLETION; i++) {
		ret = bench_latency(i);
		if (ret)
			return ret;
	}
	pr_info("BENCH_DONE\n");
	return 0;
}

static void __exit bench_exit(void)
{
}

module_init(bench_init);
module_exit(bench_exit);

MODULE_DESCRIPTION("Cost of netfs_iocount next to the kernel's primitives");
MODULE_LICENSE("GPL");
