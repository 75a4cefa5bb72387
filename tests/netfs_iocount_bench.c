// SPDX-License-Identifier: GPL-2.0
/*
 * netfs_iocount_bench: what a begin/end pair costs, next to the kernel's own
 * primitives, in the shape of kernel/rcu/refscale.c: one ops entry per
 * primitive, kthreads pinned one per CPU, a synchronised start, warm-up,
 * many runs, median and min/max nanoseconds per pair.
 *
 * Each primitive runs in the shapes it supports, each with one thread, with
 * every CPU on one shared counter and with every CPU on a private counter:
 *   unheld: every pair takes the count 0 -> 1 -> 0, so every end reaches
 *     zero and does what a last end does (the wake-up check);
 *   held: one request stays outstanding for the whole run, so no end
 *     reaches zero.  refcount_t and percpu_ref never reach zero in use: they
 *     run held only.
 * The whole set is measured `rounds` times, interleaved, so that the
 * spread of a ratio over rounds shows what is noise.  Then the wake-up
 * latency: time from the last end to the waiter running, for
 * netfs_iocount_wait(), mainline netfs's wait_var_event() on its io_count, a
 * wait_queue_head and a completion.
 *
 * Loading the module runs everything and prints one line per figure,
 *   BENCH <round> <primitive> <shape> median_ps=N min_ps=N max_ps=N
 *   BENCH_LATENCY <mechanism> median_ns=N min_ns=N max_ns=N
 * and the module stays loaded until rmmod.  scripts/bench turns the lines
 * into ratios to the bare atomic pair measured in the same round and shape.
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
#define BENCH_MAX_ROUNDS	21
#define BENCH_MAX_SAMPLES	10000

static unsigned int loops = 100000;
static unsigned int runs = 15;
static unsigned int warmups = 3;
static unsigned int rounds = 5;
static unsigned int samples = 200;

NETFS_IOCOUNT_TEST_PARAM(loops, 1, 100000000,
			 "begin/end pairs per run (default 100000)");
NETFS_IOCOUNT_TEST_PARAM(runs, 1, BENCH_MAX_RUNS,
			 "timed runs per figure (default 15)");
NETFS_IOCOUNT_TEST_PARAM(warmups, 0, 100, "untimed runs first (default 3)");
NETFS_IOCOUNT_TEST_PARAM(rounds, 1, BENCH_MAX_ROUNDS,
			 "times the whole set is measured (default 5)");
NETFS_IOCOUNT_TEST_PARAM(samples, 1, BENCH_MAX_SAMPLES,
			 "wake-ups timed per mechanism (default 200)");

/* One counter of each kind; a primitive uses its own. */
struct bench_obj {
	struct netfs_iocount ic;
	atomic_t atomic;
	refcount_t ref;
	struct percpu_ref pcpu;
	int locked_count;		/* under wq.lock */
	wait_queue_head_t wq;
	struct file *file;		/* a real inode, for inode_dio_* */
} ____cacheline_aligned_in_smp;

/*
 * A primitive: @init/@exit set its counter up and down (optional), @hold
 * begins the request a held run keeps outstanding and @unhold ends it, and
 * @pairs does @n begin/end pairs.  @shapes says which of unheld and held
 * it runs in; @slowdown divides the pairs per run for a primitive that is
 * orders of magnitude slower than the others.
 */
struct bench_ops {
	const char *name;
	int (*init)(struct bench_obj *o);
	void (*exit)(struct bench_obj *o);
	void (*hold)(struct bench_obj *o);
	void (*unhold)(struct bench_obj *o);
	void (*pairs)(struct bench_obj *o, unsigned int n);
	unsigned int shapes;
	unsigned int slowdown;
};

#define BENCH_UNHELD	BIT(0)
#define BENCH_HELD	BIT(1)
#define BENCH_BOTH	(BENCH_UNHELD | BENCH_HELD)

/* The floor: the bare atomics of a count that wakes nobody. */
static void pairs_atomic(struct bench_obj *o, unsigned int n)
{
	while (n--) {
		atomic_inc(&o->atomic);
		if (atomic_dec_and_test(&o->atomic))
			barrier();
	}
}

static void hold_atomic(struct bench_obj *o)
{
	atomic_inc(&o->atomic);
}

static void unhold_atomic(struct bench_obj *o)
{
	atomic_dec(&o->atomic);
}

/*
 * Mainline netfs's io_count (6.10+): atomic_inc() in netfs_alloc_request(),
 * atomic_dec_and_test() and wake_up_var() in netfs_free_request().
 */
static void pairs_netfs_io_count(struct bench_obj *o, unsigned int n)
{
	while (n--) {
		atomic_inc(&o->atomic);
		if (atomic_dec_and_test(&o->atomic))
			wake_up_var(&o->atomic);
	}
}

static void pairs_iocount(struct bench_obj *o, unsigned int n)
{
	while (n--) {
		netfs_iocount_begin(&o->ic);
		netfs_iocount_end(&o->ic);
	}
}

static void hold_iocount(struct bench_obj *o)
{
	netfs_iocount_begin(&o->ic);
}

static void unhold_iocount(struct bench_obj *o)
{
	netfs_iocount_end(&o->ic);
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

/*
 * netfs_iocount's own atomics, without its debug hooks: the begin and end
 * of netfs_iocount.h with the static branches left out, which on an
 * architecture without jump labels (UML) are a load and a test each.
 */
static void pairs_fetch_add_unless(struct bench_obj *o, unsigned int n)
{
	int old;

	while (n--) {
		atomic_inc(&o->ic.count);
		old = atomic_fetch_add_unless(&o->ic.count, -1, 0);
		if (likely(old > 1))
			continue;
		if (likely(old == 1))
			wake_up_var(&o->ic.count);
		else
			netfs_iocount_underflow(&o->ic, _THIS_IP_);
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

static void hold_dio(struct bench_obj *o)
{
	inode_dio_begin(file_inode(o->file));
}

static void unhold_dio(struct bench_obj *o)
{
	inode_dio_end(file_inode(o->file));
}

static void pairs_dio(struct bench_obj *o, unsigned int n)
{
	struct inode *inode = file_inode(o->file);

	while (n--) {
		inode_dio_begin(inode);
		inode_dio_end(inode);
	}
}

/* Held by construction: refcount_set(1) at setup. */
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

/* Held by construction: percpu_ref_init() holds the initial reference. */
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

/*
 * The design without atomics, done fairly: a count under the wait queue's
 * own lock, which is the lock a waiter checks it under, one lock round trip
 * per begin and per end.
 */
static void locked_begin(struct bench_obj *o)
{
	spin_lock(&o->wq.lock);
	o->locked_count++;
	spin_unlock(&o->wq.lock);
}

static void locked_end(struct bench_obj *o)
{
	spin_lock(&o->wq.lock);
	if (!--o->locked_count)
		wake_up_locked(&o->wq);
	spin_unlock(&o->wq.lock);
}

static void pairs_locked(struct bench_obj *o, unsigned int n)
{
	while (n--) {
		locked_begin(o);
		locked_end(o);
	}
}

static const struct bench_ops bench_ops[] = {
	{ "atomic_pair", NULL, NULL, hold_atomic, unhold_atomic, pairs_atomic,
	  BENCH_BOTH, 1 },			/* the floor: first */
	{ "netfs_iocount", NULL, NULL, hold_iocount, unhold_iocount,
	  pairs_iocount, BENCH_BOTH, 1 },
	{ "netfs_io_count", NULL, NULL, hold_atomic, unhold_atomic,
	  pairs_netfs_io_count, BENCH_BOTH, 1 },
	{ "fetch_add_unless_end", NULL, NULL, hold_iocount, unhold_iocount,
	  pairs_fetch_add_unless, BENCH_BOTH, 1 },
	{ "dec_return_end", NULL, NULL, hold_iocount, unhold_iocount,
	  pairs_dec_return, BENCH_BOTH, 1 },
	{ "inode_dio", init_dio, exit_dio, hold_dio, unhold_dio, pairs_dio,
	  BENCH_BOTH, 1 },
	{ "spinlock_waitqueue", NULL, NULL, locked_begin, locked_end,
	  pairs_locked, BENCH_BOTH, 1 },
	{ "refcount", NULL, NULL, NULL, NULL, pairs_refcount, BENCH_HELD, 1 },
	{ "percpu_ref", init_pcpu, exit_pcpu, NULL, NULL, pairs_pcpu,
	  BENCH_HELD, 1 },
	{ "percpu_ref_atomic", init_pcpu_atomic, exit_pcpu, NULL, NULL,
	  pairs_pcpu, BENCH_HELD, 1 },
	{ "netfs_iocount_stats", init_stats, exit_stats, hold_iocount,
	  unhold_iocount, pairs_iocount, BENCH_BOTH, 1 },
	{ "netfs_iocount_tracking", init_tracking, exit_tracking, hold_iocount,
	  unhold_iocount, pairs_iocount, BENCH_BOTH, 50 },
};

enum bench_threads { THREADS_SINGLE, THREADS_SHARED, THREADS_PRIVATE };
static const char *const shape_names[2][3] = {
	{ "single", "shared", "private" },
	{ "single_held", "shared_held", "private_held" },
};

/* One figure being measured: a primitive in a shape. */
struct bench_job {
	const struct bench_ops *ops;
	struct bench_obj *objs;
	bool private;
	int nthreads;
	unsigned int loops;
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
		job->ops->pairs(o, job->loops);
	for (i = 0; i < runs; i++) {
		bench_barrier(job);
		start = ktime_get_ns();
		job->ops->pairs(o, job->loops);
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

/* Sort @v and print its median, minimum and maximum after @what. */
static void bench_report(const char *what, const char *unit, u64 *v,
			 unsigned int n)
{
	sort(v, n, sizeof(*v), cmp_u64, NULL);
	pr_info("%s median_%s=%llu min_%s=%llu max_%s=%llu\n", what, unit,
		v[n / 2], unit, v[0], unit, v[n - 1]);
}

/*
 * Every held request ends before any counter goes: tracking, switched off
 * by the first exit, must see the ends of the begins it recorded.
 */
static void bench_objs_exit(const struct bench_ops *ops, struct bench_obj *objs,
			    int n, bool held)
{
	int i;

	for (i = 0; held && ops->unhold && i < n; i++)
		ops->unhold(&objs[i]);
	for (i = 0; ops->exit && i < n; i++)
		ops->exit(&objs[i]);
}

static int bench_objs_init(const struct bench_ops *ops, struct bench_obj *objs,
			   int n, bool held)
{
	int i, ret;

	for (i = 0; i < n; i++) {
		netfs_iocount_init(&objs[i].ic);
		atomic_set(&objs[i].atomic, 0);
		refcount_set(&objs[i].ref, 1);
		init_waitqueue_head(&objs[i].wq);
		ret = ops->init ? ops->init(&objs[i]) : 0;
		if (ret) {
			bench_objs_exit(ops, objs, i, held);
			return ret;
		}
		if (held && ops->hold)
			ops->hold(&objs[i]);
	}
	return 0;
}

/* Start one pinned thread per CPU for @job; on failure none is left. */
static int bench_threads_run(struct bench_job *job, struct bench_thread *bt,
			     struct task_struct **tasks)
{
	int cpu, i = 0;

	for_each_online_cpu(cpu) {
		if (i == job->nthreads)
			break;
		bt[i].job = job;
		bt[i].index = i;
		tasks[i] = kthread_create_on_cpu(bench_thread_fn, &bt[i], cpu,
						 "iocount-bench/%u");
		if (IS_ERR(tasks[i])) {
			int ret = PTR_ERR(tasks[i]);

			while (i--)
				kthread_stop(tasks[i]);
			return ret;
		}
		i++;
	}
	atomic_set(&job->left, job->nthreads);
	init_completion(&job->done);
	for (i = 0; i < job->nthreads; i++)
		wake_up_process(tasks[i]);
	wait_for_completion(&job->done);
	return 0;
}

/* Measure @ops in one shape, in round @round, and print its line. */
static int bench_one(const struct bench_ops *ops, unsigned int round,
		     enum bench_threads threads, bool held)
{
	int nthreads = threads == THREADS_SINGLE ? 1 : num_online_cpus();
	struct task_struct **tasks = NULL;
	struct bench_thread *bt;
	struct bench_job job = {
		.ops = ops,
		.private = threads == THREADS_PRIVATE,
		.nthreads = nthreads,
		.loops = max(loops / ops->slowdown, 1U),
	};
	int nobjs = job.private ? nthreads : 1, ret = -ENOMEM;
	char what[80];
	u64 *per_run;
	unsigned int r, t;

	job.objs = kcalloc(nthreads, sizeof(*job.objs), GFP_KERNEL);
	job.ns = kcalloc(runs * nthreads, sizeof(*job.ns), GFP_KERNEL);
	per_run = kcalloc(runs, sizeof(*per_run), GFP_KERNEL);
	bt = kcalloc(nthreads, sizeof(*bt), GFP_KERNEL);
	tasks = kcalloc(nthreads, sizeof(*tasks), GFP_KERNEL);
	if (!job.objs || !job.ns || !per_run || !bt || !tasks)
		goto out;
	ret = bench_objs_init(ops, job.objs, nobjs, held);
	if (ret)
		goto out;
	ret = bench_threads_run(&job, bt, tasks);
	bench_objs_exit(ops, job.objs, nobjs, held);
	if (ret)
		goto out;

	/* A run's figure: the mean over threads, in picoseconds per pair. */
	for (r = 0; r < runs; r++) {
		for (t = 0; t < nthreads; t++)
			per_run[r] += job.ns[r * nthreads + t];
		per_run[r] = div_u64(per_run[r] * 1000,
				     (u64)nthreads * job.loops);
	}
	snprintf(what, sizeof(what), "BENCH %u %s %s", round, ops->name,
		 shape_names[held][threads]);
	bench_report(what, "ps", per_run, runs);
out:
	kfree(tasks);
	kfree(bt);
	kfree(per_run);
	kfree(job.ns);
	kfree(job.objs);
	return ret;
}

/* One round: every primitive in every shape it supports. */
static int bench_round(unsigned int round)
{
	enum bench_threads threads;
	int i, held, ret;

	for (i = 0; i < ARRAY_SIZE(bench_ops); i++) {
		for (held = 0; held <= 1; held++) {
			if (!(bench_ops[i].shapes & (held ? BENCH_HELD : BENCH_UNHELD)))
				continue;
			for (threads = THREADS_SINGLE; threads <= THREADS_PRIVATE;
			     threads++) {
				ret = bench_one(&bench_ops[i], round, threads,
						held);
				if (ret)
					return ret;
			}
		}
	}
	return 0;
}

/* ---- wake-up latency: last end to waiter running ---- */

/* MECH_WAIT_VAR: mainline netfs_wait_for_outstanding_io()'s own wait. */
enum bench_mech { MECH_IOCOUNT, MECH_WAIT_VAR, MECH_WAITQUEUE, MECH_COMPLETION };
static const char *const mech_names[] = {
	"netfs_iocount_wait", "wait_var_event", "wait_queue_head", "completion"
};

struct bench_latency {
	enum bench_mech mech;
	struct netfs_iocount ic;
	atomic_t io_count;
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
		case MECH_WAIT_VAR:
			wait_var_event(&l->io_count,
				       atomic_read(&l->io_count) == 0);
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
	if (l->mech == MECH_WAIT_VAR)
		atomic_inc(&l->io_count);
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
	case MECH_WAIT_VAR:
		if (atomic_dec_and_test(&l->io_count))
			wake_up_var(&l->io_count);
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
	char what[48];
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
	snprintf(what, sizeof(what), "BENCH_LATENCY %s", mech_names[mech]);
	bench_report(what, "ns", lat, samples);
	kfree(lat);
	kfree(l);
	return 0;
}

static int __init bench_init(void)
{
	unsigned int round;
	int i, ret;

	pr_info("BENCH_CONFIG cpus=%u loops=%u runs=%u warmups=%u rounds=%u samples=%u\n",
		num_online_cpus(), loops, runs, warmups, rounds, samples);
	for (round = 0; round < rounds; round++) {
		ret = bench_round(round);
		if (ret)
			return ret;
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
