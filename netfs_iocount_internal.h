/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the files of the netfs_iocount module share and nobody else sees,
 * from the top down; every call goes down this list, never up:
 *
 *   netfs_iocount_main.c     module init and exit, the switches, debugfs
 *   netfs_iocount_core.c     the counter's slow paths and the waits
 *   netfs_iocount_hung.c     reports of waits asleep too long
 *   netfs_iocount_watchdog.c reports and listing of netfs's requests
 *   netfs_iocount_attach.c   the probes on netfs that feed their records
 *   netfs_iocount_track.c    records of the library's requests
 *   netfs_iocount_rreq.c     records of netfs's own requests (6.10+)
 *   netfs_iocount_stats.c    statistics
 *   netfs_iocount_stack.c    the records' stacks
 */
#ifndef _NETFS_IOCOUNT_INTERNAL_H
#define _NETFS_IOCOUNT_INTERNAL_H

#include <linux/build_bug.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/stackdepot.h>
#include <linux/string.h>
#include <linux/types.h>
#include <linux/workqueue.h>

#include "netfs_iocount.h"

struct seq_file;
struct task_struct;

/*
 * The unbound system workqueue: system_dfl_wq since 6.17 (and late 6.12.y),
 * whose old name 7.x deprecates; probed by compat.mk.
 */
#ifdef NETFS_IOCOUNT_HAVE_SYSTEM_DFL_WQ
#define netfs_iocount_wq	system_dfl_wq
#else
#define netfs_iocount_wq	system_unbound_wq
#endif

/*
 * The name of current, copied without task_lock(): a probe's handler may
 * have interrupted a task holding it (6.12's get_task_comm() takes it;
 * 7.3's copies without it, as this does).  A rename racing with the copy
 * yields a mix of both names, always terminated.
 */
static inline void netfs_iocount_current_comm(char comm[TASK_COMM_LEN])
{
	BUILD_BUG_ON(sizeof(current->comm) < TASK_COMM_LEN);
	memcpy(comm, current->comm, TASK_COMM_LEN);
	comm[TASK_COMM_LEN - 1] = '\0';
}

/* netfs_iocount_stats.c */
bool netfs_iocount_stats_on(void);
void netfs_iocount_stats_switch(bool on);
void netfs_iocount_stats_begin(void);
void netfs_iocount_stats_end(void);
void netfs_iocount_stats_wait(bool slept, u64 slept_ns);
void netfs_iocount_stats_hung(void);
void netfs_iocount_stats_underflow(void);
void netfs_iocount_stats_tracked(long delta);
void netfs_iocount_stats_untracked(void);
void netfs_iocount_stats_show(struct seq_file *m, bool tracking);

/* netfs_iocount_stack.c */
depot_stack_handle_t netfs_iocount_stack_save(unsigned long caller);
unsigned int netfs_iocount_stack_fetch(depot_stack_handle_t stack,
				       unsigned long **entries);
void netfs_iocount_stack_init(void);

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
void netfs_iocount_track_switch(bool on);
void netfs_iocount_track_begin(struct netfs_iocount *ic, const void *req,
			       unsigned long caller);
void netfs_iocount_track_end(struct netfs_iocount *ic, const void *req);
void netfs_iocount_track_forget(struct netfs_iocount *ic);
bool netfs_iocount_track_report(struct netfs_iocount *ic, bool print);
int netfs_iocount_track_show(struct seq_file *m);
int netfs_iocount_track_init(void);
void netfs_iocount_track_exit(void);

/*
 * netfs_iocount_rreq.c: what is known of one of netfs's own requests, all
 * of it copied while the request and its inode were alive.  The three
 * addresses are keys: nothing dereferences them.
 */
struct netfs_iocount_rreq {
	const void *rreq;
	const void *counter;		/* &netfs_inode(inode)->io_count */
	const void *sb;
	u64 ino;
	unsigned int debug_id;		/* netfs's R= in its trace events */
	const char *origin;		/* NETFS_READAHEAD, NETFS_DIO_READ, ... */
	char s_id[32];
	char fstype[16];
	char comm[TASK_COMM_LEN];	/* the allocating task */
	pid_t pid;
	unsigned long caller;		/* what called netfs_alloc_request() */
	depot_stack_handle_t stack;	/* from @caller; 0 if none */
	unsigned long start;		/* jiffies, at allocation */
	unsigned long freeing_at;	/* jiffies, if @freeing */
	unsigned long waited_at;	/* jiffies, if @waited */
	char waiter[TASK_COMM_LEN];	/* the first task to wait, if @waited */
	pid_t waiter_pid;
	bool freeing;			/* netfs has begun to free it */
	bool waited;			/* a task waits on @counter */
	bool drained;			/* @counter reached 0 since @freeing */
	bool reported;			/* printed by the watchdog */
};

unsigned int netfs_iocount_rreq_count(void);
unsigned long netfs_iocount_rreq_unrecorded(void);
unsigned long netfs_iocount_rreq_replaced(void);
void netfs_iocount_rreq_lost(void);
void netfs_iocount_rreq_alloced(const struct netfs_iocount_rreq *proto);
void netfs_iocount_rreq_freeing(const void *rreq);
void netfs_iocount_rreq_freed(const void *rreq);
void netfs_iocount_rreq_waited(const void *counter);
void netfs_iocount_rreq_drained(const void *counter);
unsigned int netfs_iocount_rreq_due(struct netfs_iocount_rreq *out,
				    unsigned int max, unsigned long any,
				    unsigned long waited);
void netfs_iocount_rreq_reported(const struct netfs_iocount_rreq *r);
unsigned int netfs_iocount_rreq_snapshot(const void *counter,
					 struct netfs_iocount_rreq *out,
					 unsigned int max);
void netfs_iocount_rreq_purge(void);
int netfs_iocount_rreq_init(void);
void netfs_iocount_rreq_exit(void);

/* netfs_iocount_attach.c; what its probes missed since attached: */
struct netfs_iocount_netfs_misses {
	unsigned long alloc;		/* netfs_alloc_request(), hit in a probe */
	unsigned long alloc_no_instance; /* ... found no kretprobe instance */
	int maxactive;			/* the kretprobe's instances */
	unsigned long freed;		/* netfs_free_request_rcu() */
	unsigned long drained;		/* wake_up_var() */
	unsigned long waited;		/* __var_waitqueue() */
};

bool netfs_iocount_netfs_tracking(void);
const char *netfs_iocount_netfs_missing(void);
int netfs_iocount_netfs_attach(void);
void netfs_iocount_netfs_detach(void);
void netfs_iocount_netfs_exit(void);
void netfs_iocount_netfs_misses(struct netfs_iocount_netfs_misses *m);
unsigned long netfs_iocount_netfs_missed(void);

/* netfs_iocount_watchdog.c */
void netfs_iocount_watchdog_start(void);
void netfs_iocount_watchdog_stop(void);
bool netfs_iocount_requests_report(const void *counter, bool print);
int netfs_iocount_requests_show(struct seq_file *m);

#endif /* _NETFS_IOCOUNT_INTERNAL_H */
