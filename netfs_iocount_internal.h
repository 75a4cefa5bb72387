/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the files of the netfs_iocount module share and nobody else sees.
 *
 *   netfs_iocount.c        the counter and the waits
 *   netfs_iocount_hung.c   reports of waits asleep too long
 *   netfs_iocount_track.c  records of outstanding requests
 *   netfs_iocount_stats.c  statistics, switches, parameters, debugfs
 */
#ifndef _NETFS_IOCOUNT_INTERNAL_H
#define _NETFS_IOCOUNT_INTERNAL_H

#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/types.h>

#include "netfs_iocount.h"

struct dentry;
struct task_struct;

/* netfs_iocount_stats.c */
extern struct mutex netfs_iocount_switch_lock;
bool netfs_iocount_stats_on(void);
void netfs_iocount_stats_begin(void);
void netfs_iocount_stats_end(void);
void netfs_iocount_stats_wait(bool slept, u64 slept_ns);
void netfs_iocount_stats_hung(void);
void netfs_iocount_stats_underflow(void);
void netfs_iocount_stats_tracked(long delta);
void netfs_iocount_stats_untracked(void);
void netfs_iocount_stats_debugfs_init(void);
void netfs_iocount_stats_debugfs_exit(void);

/*
 * netfs_iocount_hung.c: a wait that must sleep is watched for as long as it
 * sleeps, from the waiter's stack.
 */
struct netfs_iocount_waiter {
	struct list_head link;
	struct task_struct *task;
	struct netfs_iocount *ic;
	const struct inode *inode;	/* the owner, if an inode; or NULL */
	unsigned long start;		/* jiffies */
	unsigned long last_report;	/* jiffies; == start until reported */
};

void netfs_iocount_hung_watch(struct netfs_iocount_waiter *w,
			      struct netfs_iocount *ic,
			      const struct inode *inode);
void netfs_iocount_hung_unwatch(struct netfs_iocount_waiter *w);
void netfs_iocount_hung_exit(void);

/* netfs_iocount_track.c */
bool netfs_iocount_tracking(void);
void netfs_iocount_track_begin(struct netfs_iocount *ic, const void *req,
			       unsigned long caller);
void netfs_iocount_track_end(struct netfs_iocount *ic, const void *req);
void netfs_iocount_track_forget(struct netfs_iocount *ic);
void netfs_iocount_track_report(struct netfs_iocount *ic, bool print);
void netfs_iocount_track_switch(bool on);
void netfs_iocount_track_debugfs(struct dentry *dir);
int netfs_iocount_track_init(void);
void netfs_iocount_track_exit(void);

#endif /* _NETFS_IOCOUNT_INTERNAL_H */
