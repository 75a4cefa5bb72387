// SPDX-License-Identifier: GPL-2.0
/*
 * netfs_iocount: statistics.
 *
 * The begin, end and wait totals are kept only while statistics are on,
 * in per-cpu counters: with statistics off, a wait that finds no I/O
 * outstanding touches no shared cache line.  A wait that must sleep
 * always takes the hung-wait watch's global mutex and re-arms its delayed
 * work (netfs_iocount_hung.c), whatever is switched on: the watch is no
 * debug feature.  Hung reports, underflows and tracking's own totals are
 * rare events and always counted.  The switch is netfs_iocount_main.c's.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/module.h>
#include <linux/percpu.h>
#include <linux/seq_file.h>

#include "netfs_iocount_internal.h"

static bool stats;

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

/**
 * netfs_iocount_stats_switch - start or stop the begin, end and wait totals
 * @on: count from now on, or stop
 *
 * The one state of statistics: netfs_iocount_stats_on() reads it.
 *
 * Context: the caller serialises switches.
 */
void netfs_iocount_stats_switch(bool on)
{
	WRITE_ONCE(stats, on);
}

/**
 * netfs_iocount_stats_show - the statistics, one "name value" per line
 * @m: the seq_file of debugfs's netfs_iocount/stats
 * @tracking: whether tracking is on, so its totals mean something
 */
void netfs_iocount_stats_show(struct seq_file *m, bool tracking)
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
	if (tracking)
		seq_printf(m, "tracked %llu\nuntracked %llu\n",
			   st.tracked, st.untracked);
}
