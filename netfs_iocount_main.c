// SPDX-License-Identifier: GPL-2.0
/*
 * netfs_iocount: the module.  Its init and exit, the switches of the debug
 * features (track, stats, track_netfs) with the one lock that serialises
 * them, the static key behind them, and the debugfs directory.
 *
 * Every call from here goes down, to the file that keeps a feature's state
 * and records (netfs_iocount_internal.h lists them); none comes back up:
 * a report or a listing asks each store of records for its own lines.
 *
 * One static key gates every debug feature in the hot path; each feature
 * that is on (statistics, tracking, each enabled begin/end trace event)
 * holds one reference on it.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/jump_label.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/seq_file.h>

#include "netfs_iocount_internal.h"
#include "netfs_iocount_trace.h"

/*
 * Serialises the feature switches (parameters and track_netfs's probes).
 * Never taken under tracepoints_mutex: attaching registers on a
 * tracepoint with it held, so the trace events' regfunc must not take it.
 */
static DEFINE_MUTEX(netfs_iocount_switch_lock);

/*
 * On while any debug feature is: the branch that begin and end test.
 */
DEFINE_STATIC_KEY_FALSE(netfs_iocount_debug_key);
EXPORT_SYMBOL_GPL(netfs_iocount_debug_key);

/* ---- track and stats: a flag in their store, and a key reference ---- */

/* A debug feature: its state, kept where its records are. */
struct debug_feature {
	bool (*on)(void);
	void (*set)(bool on);
};

static struct debug_feature track_feature = {
	.on	= netfs_iocount_tracking,
	.set	= netfs_iocount_track_switch,
};

static struct debug_feature stats_feature = {
	.on	= netfs_iocount_stats_on,
	.set	= netfs_iocount_stats_switch,
};

/*
 * Turn @f on or off, holding the debug key while it is on: on, the key
 * goes on before the feature; off, the feature (its records dropped)
 * before the key.
 */
static void debug_feature_switch(const struct debug_feature *f, bool on)
{
	mutex_lock(&netfs_iocount_switch_lock);
	if (f->on() != on) {
		if (on)
			static_branch_inc(&netfs_iocount_debug_key);
		f->set(on);
		if (!on)
			static_branch_dec(&netfs_iocount_debug_key);
	}
	mutex_unlock(&netfs_iocount_switch_lock);
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
	debug_feature_switch(&track_feature, on);
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
	debug_feature_switch(&stats_feature, on);
}
EXPORT_SYMBOL_GPL(netfs_iocount_set_stats);

static int param_set_feature(const char *val, const struct kernel_param *kp)
{
	bool on;

	if (kstrtobool(val, &on)) {
		pr_err("%s=%s is invalid: expected 0 or 1\n", kp->name, val);
		return -EINVAL;
	}
	debug_feature_switch(kp->arg, on);
	return 0;
}

static int param_get_feature(char *buf, const struct kernel_param *kp)
{
	const struct debug_feature *f = kp->arg;

	return sysfs_emit(buf, "%c\n", f->on() ? 'Y' : 'N');
}

static const struct kernel_param_ops feature_ops = {
	.set = param_set_feature,
	.get = param_get_feature,
};

module_param_cb(track, &feature_ops, &track_feature, 0644);
MODULE_PARM_DESC(track,
		 "record every outstanding request with its caller and stack (default 0)");
module_param_cb(stats, &feature_ops, &stats_feature, 0644);
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

/* ---- track_netfs: the probes on netfs (6.10+) and their watchdog ---- */

/*
 * The switch's life, under netfs_iocount_switch_lock: a store before module init is a
 * load parameter, remembered in netfs_tracking_wanted; from module exit
 * (or a failed init) on, every store is refused.  Whether the probes are
 * attached is netfs_iocount_attach.c's one state.
 */
static enum {
	NETFS_SWITCH_LOADING,
	NETFS_SWITCH_OPEN,
	NETFS_SWITCH_GOING,
} netfs_switch_state;
static bool netfs_tracking_wanted;	/* track_netfs=1 at load */

/*
 * Tests only (tests/guest/track-unload-race.sh): how long module exit
 * waits once it has closed the switch and detached, with the parameter
 * files still there.  A load parameter with no sysfs file, so that
 * nothing but the insmod of a test can set it.
 */
#define TEST_EXIT_DELAY_MAX_MS	10000
static unsigned int test_exit_delay_ms;

static int param_set_test_exit_delay_ms(const char *val,
					const struct kernel_param *kp)
{
	unsigned int ms;

	if (kstrtouint(val, 0, &ms) || ms > TEST_EXIT_DELAY_MAX_MS) {
		pr_err("%s=%s is invalid: expected 0..%u\n", kp->name, val,
		       TEST_EXIT_DELAY_MAX_MS);
		return -EINVAL;
	}
	test_exit_delay_ms = ms;
	return 0;
}

static const struct kernel_param_ops test_exit_delay_ms_ops = {
	.set = param_set_test_exit_delay_ms,
	.get = param_get_uint,
};

module_param_cb(test_exit_delay_ms, &test_exit_delay_ms_ops,
		&test_exit_delay_ms, 0);
MODULE_PARM_DESC(test_exit_delay_ms,
		 "tests only: hold module exit this long once track_netfs is closed (0..10000 ms, default 0)");

/*
 * Attach and start the watchdog, or stop it and detach: the watchdog
 * never scans records that detach is dropping.
 */
static int netfs_tracking_switch(bool on)
{
	int ret;

	lockdep_assert_held(&netfs_iocount_switch_lock);
	if (on == netfs_iocount_netfs_tracking())
		return 0;
	if (!on) {
		netfs_iocount_watchdog_stop();
		netfs_iocount_netfs_detach();
		return 0;
	}
	ret = netfs_iocount_netfs_attach();
	if (!ret)
		netfs_iocount_watchdog_start();
	return ret;
}

static int param_set_track_netfs(const char *val,
				 const struct kernel_param *kp)
{
	const char *missing = netfs_iocount_netfs_missing();
	bool on;
	int ret = 0;

	if (kstrtobool(val, &on)) {
		pr_err("%s=%s is invalid: expected 0 or 1\n", kp->name, val);
		return -EINVAL;
	}
	if (on && missing) {
		pr_err("track_netfs: %s\n", missing);
		return -EOPNOTSUPP;
	}
	mutex_lock(&netfs_iocount_switch_lock);
	switch (netfs_switch_state) {
	case NETFS_SWITCH_LOADING:
		netfs_tracking_wanted = on;
		break;
	case NETFS_SWITCH_OPEN:
		ret = netfs_tracking_switch(on);
		break;
	case NETFS_SWITCH_GOING:
		pr_warn("track_netfs=%d refused: netfs_iocount is being unloaded\n",
			on);
		ret = -ENODEV;
		break;
	}
	mutex_unlock(&netfs_iocount_switch_lock);
	return ret;
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

/* Module init: attach if asked to at load, and open the switch. */
static int netfs_tracking_open(void)
{
	int ret = 0;

	mutex_lock(&netfs_iocount_switch_lock);
	if (netfs_tracking_wanted)
		ret = netfs_tracking_switch(true);
	/* A failed init frees the module as exit does: closed for good. */
	netfs_switch_state = ret ? NETFS_SWITCH_GOING : NETFS_SWITCH_OPEN;
	mutex_unlock(&netfs_iocount_switch_lock);
	return ret;
}

/*
 * Module exit, first of all: close the switch and detach.  Parameter files
 * outlive module_exit() and a store takes no module reference, so a store
 * that found the switch open after exit had detached would attach probes
 * whose handlers are about to be freed; from here on it fails with
 * -ENODEV.
 */
static void netfs_tracking_close(void)
{
	mutex_lock(&netfs_iocount_switch_lock);
	netfs_switch_state = NETFS_SWITCH_GOING;
	netfs_tracking_switch(false);
	netfs_iocount_netfs_exit();
	mutex_unlock(&netfs_iocount_switch_lock);
	if (test_exit_delay_ms) {
		pr_info("track_netfs closed; module exit held %u ms (test_exit_delay_ms)\n",
			test_exit_delay_ms);
		msleep(test_exit_delay_ms);
	}
}

/* ---- debugfs: netfs_iocount/{stats,outstanding,requests}, root only ---- */

static struct dentry *debugfs_dir;

static int stats_show(struct seq_file *m, void *v)
{
	netfs_iocount_stats_show(m, netfs_iocount_tracking());
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(stats);

static int outstanding_show(struct seq_file *m, void *v)
{
	return netfs_iocount_track_show(m);
}
DEFINE_SHOW_ATTRIBUTE(outstanding);

static int requests_show(struct seq_file *m, void *v)
{
	return netfs_iocount_requests_show(m);
}
DEFINE_SHOW_ATTRIBUTE(requests);

static void debugfs_init(void)
{
	debugfs_dir = debugfs_create_dir("netfs_iocount", NULL);
	debugfs_create_file("stats", 0400, debugfs_dir, NULL, &stats_fops);
	debugfs_create_file("outstanding", 0400, debugfs_dir, NULL,
			    &outstanding_fops);
	debugfs_create_file("requests", 0400, debugfs_dir, NULL,
			    &requests_fops);
}

/* ---- the module ---- */

/* Every feature off; the files went first, so nothing switches them on. */
static void features_off(void)
{
	netfs_iocount_set_tracking(false);
	netfs_iocount_set_stats(false);
}

static int __init netfs_iocount_module_init(void)
{
	int ret;

	netfs_iocount_stack_init();
	ret = netfs_iocount_track_init();
	if (ret)
		return ret;
	ret = netfs_iocount_rreq_init();
	if (ret)
		goto track_exit;
	debugfs_init();
	ret = netfs_tracking_open();
	if (ret)
		goto debugfs_exit;
	return 0;

debugfs_exit:
	debugfs_remove_recursive(debugfs_dir);
	features_off();
	netfs_iocount_rreq_exit();
track_exit:
	netfs_iocount_track_exit();
	return ret;
}

static void __exit netfs_iocount_module_exit(void)
{
	netfs_tracking_close();
	debugfs_remove_recursive(debugfs_dir);
	features_off();
	netfs_iocount_hung_exit();
	netfs_iocount_rreq_exit();
	netfs_iocount_track_exit();
}

module_init(netfs_iocount_module_init);
module_exit(netfs_iocount_module_exit);

MODULE_DESCRIPTION("Per-inode count of outstanding netfs I/O requests");
MODULE_LICENSE("GPL");
