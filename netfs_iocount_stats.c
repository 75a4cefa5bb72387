// SPDX-License-Identifier: GPL-2.0
/*
 * netfs_iocount: statistics, the switches of the debug features, their
 * module parameters and the debugfs directory.
 *
 * One static key gates every debug feature in the hot path; each feature
 * that is on (statistics, tracking, each enabled begin/end trace event)
 * holds one reference on it.  The begin, end and wait totals are kept only
 * while statistics are on, in per-cpu counters: with statistics off, a
 * wait that finds no I/O outstanding touches no shared cache line.  A wait
 * that must sleep always takes the hung-wait watch's global mutex and
 * re-arms its delayed work (netfs_iocount_hung.c), whatever is switched
 * on: the watch is no debug feature.  Hung reports, underflows and
 * tracking's own totals are rare events and always counted.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/debugfs.h>
#include <linux/jump_label.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/seq_file.h>

#include "netfs_iocount_internal.h"
#include "netfs_iocount_trace.h"

/*
 * Serialises the feature switches (parameters and track_netfs's probes).
 * Never taken under tracepoints_mutex: attaching registers on a
 * tracepoint with it held, so the trace events' regfunc must not take it.
 */
DEFINE_MUTEX(netfs_iocount_switch_lock);

static bool stats;

/*
 * On while any debug feature is: the branch that begin and end test.
 */
DEFINE_STATIC_KEY_FALSE(netfs_iocount_debug_key);
EXPORT_SYMBOL_GPL(netfs_iocount_debug_key);

/* The value of the "track" parameter; tracking keeps its own flag. */
static bool track_param;

struct netfs_iocount_pcpu_stats {
	u64 begins;
	u64 ends;
	u64 waits;
	u64 waits_slept;
	u64 slept_ns;
};

static DEFINE_PER_CPU(struct netfs_iocount_pcpu_stats, pcpu_stats);
static atomic64_t slept_ns_max = ATOMIC64_INIT(0);
static atomic64_t nr_hung_warnings = ATOMIC64_INIT(0);
static atomic64_t nr_underflows = ATOMIC64_INIT(0);
static atomic64_t nr_tracked = ATOMIC64_INIT(0);
static atomic64_t nr_untracked = ATOMIC64_INIT(0);

/**
 * netfs_iocount_stats_on - whether statistics are being kept
 *
 * Return: true while the begin, end and wait totals are counted.
 */
bool netfs_iocount_stats_on(void)
{
	return READ_ONCE(stats);
}

/* Each of these counts one event; the first four only while stats are on. */
void netfs_iocount_stats_begin(void)
{
	if (netfs_iocount_stats_on())
		this_cpu_inc(pcpu_stats.begins);
}

void netfs_iocount_stats_end(void)
{
	if (netfs_iocount_stats_on())
		this_cpu_inc(pcpu_stats.ends);
}

void netfs_iocount_stats_wait(bool slept, u64 slept_ns)
{
	s64 max;

	if (!netfs_iocount_stats_on())
		return;
	this_cpu_inc(pcpu_stats.waits);
	if (!slept)
		return;
	this_cpu_inc(pcpu_stats.waits_slept);
	this_cpu_add(pcpu_stats.slept_ns, slept_ns);
	max = atomic64_read(&slept_ns_max);
	while (slept_ns > max &&
	       !atomic64_try_cmpxchg(&slept_ns_max, &max, slept_ns))
		;
}

void netfs_iocount_stats_hung(void)
{
	atomic64_inc(&nr_hung_warnings);
}

void netfs_iocount_stats_underflow(void)
{
	atomic64_inc(&nr_underflows);
}

void netfs_iocount_stats_tracked(long delta)
{
	atomic64_add(delta, &nr_tracked);
}

void netfs_iocount_stats_untracked(void)
{
	atomic64_inc(&nr_untracked);
}

/**
 * netfs_iocount_stats_read - snapshot the library-wide counters
 * @stats: where to store them
 *
 * Each field is read atomically; the set is not a consistent snapshot.
 */
void netfs_iocount_stats_read(struct netfs_iocount_stats *stats)
{
	int cpu;

	memset(stats, 0, sizeof(*stats));
	for_each_possible_cpu(cpu) {
		struct netfs_iocount_pcpu_stats *s = per_cpu_ptr(&pcpu_stats, cpu);

		stats->begins += READ_ONCE(s->begins);
		stats->ends += READ_ONCE(s->ends);
		stats->waits += READ_ONCE(s->waits);
		stats->waits_slept += READ_ONCE(s->waits_slept);
		stats->slept_ns += READ_ONCE(s->slept_ns);
	}
	stats->slept_ns_max = atomic64_read(&slept_ns_max);
	stats->hung_warnings = atomic64_read(&nr_hung_warnings);
	stats->underflows = atomic64_read(&nr_underflows);
	stats->tracked = atomic64_read(&nr_tracked);
	stats->untracked = atomic64_read(&nr_untracked);
}
EXPORT_SYMBOL_GPL(netfs_iocount_stats_read);

/* ---- Switches ---- */

/* Turn a feature on or off, holding the debug key while it is on. */
static void netfs_iocount_switch(bool *flag, bool on)
{
	lockdep_assert_held(&netfs_iocount_switch_lock);
	if (*flag == on)
		return;
	if (on)
		static_branch_inc(&netfs_iocount_debug_key);
	WRITE_ONCE(*flag, on);
	if (!on)
		static_branch_dec(&netfs_iocount_debug_key);
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
	if (on != track_param) {
		/* On: key before records; off: records dropped before key. */
		if (on)
			netfs_iocount_switch(&track_param, true);
		netfs_iocount_track_switch(on);
		if (!on)
			netfs_iocount_switch(&track_param, false);
	}
	mutex_unlock(&netfs_iocount_switch_lock);
}
EXPORT_SYMBOL_GPL(netfs_iocount_set_tracking);

/**
 * netfs_iocount_set_stats - switch the begin, end and wait totals
 * @on: count every begin, end and wait from now on, or stop
 *
 * Hung reports, underflows and tracking totals are always counted.  Also
 * the module parameter "stats".
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

static int param_set_feature(const char *val, const struct kernel_param *kp)
{
	bool on;

	if (kstrtobool(val, &on)) {
		pr_err("%s=%s is invalid: expected 0 or 1\n", kp->name, val);
		return -EINVAL;
	}
	if (kp->arg == &track_param)
		netfs_iocount_set_tracking(on);
	else
		netfs_iocount_set_stats(on);
	return 0;
}

static const struct kernel_param_ops feature_ops = {
	.set = param_set_feature,
	.get = param_get_bool,
};

module_param_cb(track, &feature_ops, &track_param, 0644);
MODULE_PARM_DESC(track,
		 "record every outstanding request with its caller and stack (default 0)");
module_param_cb(stats, &feature_ops, &stats, 0644);
MODULE_PARM_DESC(stats, "count every begin, end and wait (default 0)");

/*
 * Each of the begin and end trace events holds a reference on the debug
 * key while enabled: the tracepoint core calls these once per event, as
 * its first probe comes and its last goes, under tracepoints_mutex.  The
 * key counts its users itself, so no lock of ours is needed, and none may
 * be taken (see netfs_iocount_switch_lock).
 */
int netfs_iocount_trace_reg(void)
{
	static_branch_inc(&netfs_iocount_debug_key);
	return 0;
}

void netfs_iocount_trace_unreg(void)
{
	static_branch_dec(&netfs_iocount_debug_key);
}

/* ---- debugfs: netfs_iocount/{stats,outstanding}, root only ---- */

static struct dentry *debugfs_dir;

static int stats_show(struct seq_file *m, void *v)
{
	struct netfs_iocount_stats st;

	netfs_iocount_stats_read(&st);
	seq_printf(m, "hung_warnings %llu\nunderflows %llu\n",
		   st.hung_warnings, st.underflows);
	if (netfs_iocount_stats_on()) {
		seq_printf(m, "begins %llu\nends %llu\n", st.begins, st.ends);
		seq_printf(m, "waits %llu\nwaits_slept %llu\nslept_ns %llu\nslept_ns_max %llu\n",
			   st.waits, st.waits_slept, st.slept_ns,
			   st.slept_ns_max);
	}
	if (netfs_iocount_tracking())
		seq_printf(m, "tracked %llu\nuntracked %llu\n",
			   st.tracked, st.untracked);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(stats);

/* Module init: the debugfs files. */
void netfs_iocount_stats_debugfs_init(void)
{
	debugfs_dir = debugfs_create_dir("netfs_iocount", NULL);
	debugfs_create_file("stats", 0400, debugfs_dir, NULL, &stats_fops);
	netfs_iocount_track_debugfs(debugfs_dir);
	netfs_iocount_rreq_debugfs(debugfs_dir);
}

/* Module exit: the files go, every feature is switched off. */
void netfs_iocount_stats_debugfs_exit(void)
{
	debugfs_remove_recursive(debugfs_dir);
	netfs_iocount_set_tracking(false);
	netfs_iocount_set_stats(false);
}
