// SPDX-License-Identifier: GPL-2.0
/*
 * varwait_bench: what wait_var_event() and wake_up_var() cost code that has
 * nothing to do with netfs (tests only).
 *
 * While track_netfs is on, netfs_iocount's ftrace callbacks on
 * __var_waitqueue() and wake_up_var() run for every variable wait and wake
 * of the kernel, not only netfs's.  This module needs no other module, so
 * that the same figures can be taken with netfs_iocount not loaded, loaded
 * with tracking off, and tracking on.  Loading it runs, @runs times each:
 *
 *   wake:     @loops wake_up_var() calls on a variable nobody waits on;
 *   pingpong: @handoffs turns passed between two kthreads, each waiting in
 *             wait_var_event() for its turn and waking the other with
 *             wake_up_var();
 *
 * and prints one line with the median and the spread of each, in
 * nanoseconds per call or per turn:
 *
 *   VARWAIT wake_ns=N wake_min_ns=N wake_max_ns=N pingpong_ns=N ...
 *
 * then stays loaded until rmmod.  Under emulation only ratios between runs
 * of one boot mean anything.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/completion.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/wait_bit.h>

#include "netfs_iocount_test_param.h"

#define VARWAIT_MAX_RUNS	101
/* A turn that takes this long is a lost wake-up: give up. */
#define VARWAIT_TURN_TIMEOUT	(10 * HZ)

static unsigned int loops = 100000;
static unsigned int handoffs = 2000;
static unsigned int runs = 11;

NETFS_IOCOUNT_TEST_PARAM(loops, 1, 100000000,
			 "wake_up_var() calls per run (default 100000)");
NETFS_IOCOUNT_TEST_PARAM(handoffs, 2, 10000000,
			 "turns passed between the two kthreads per run (default 2000)");
NETFS_IOCOUNT_TEST_PARAM(runs, 1, VARWAIT_MAX_RUNS,
			 "timed runs of each figure (default 11)");

static u64 wake_ns[VARWAIT_MAX_RUNS];
static u64 pingpong_ns[VARWAIT_MAX_RUNS];

/* The two players of a ping-pong: whose turn it is, and who is done. */
struct varwait_game {
	atomic_t turn;
	unsigned int handoffs;
	int failed;
	struct completion done[2];
};

struct varwait_player {
	struct varwait_game *game;
	int me;
};

/*
 * A player takes every other turn, then waits to be stopped: the module's
 * init reaps it with kthread_stop(), so no player runs module text once
 * the module can go.
 */
static int varwait_play(void *data)
{
	struct varwait_player *p = data;
	struct varwait_game *g = p->game;
	unsigned int i;

	for (i = p->me; i < g->handoffs; i += 2) {
		if (!wait_var_event_timeout(&g->turn,
					    atomic_read(&g->turn) == i ||
					    READ_ONCE(g->failed),
					    VARWAIT_TURN_TIMEOUT)) {
			WRITE_ONCE(g->failed, 1);
			wake_up_var(&g->turn);
			break;
		}
		if (READ_ONCE(g->failed))
			break;
		atomic_set(&g->turn, i + 1);
		wake_up_var(&g->turn);
	}
	complete(&g->done[p->me]);
	while (!kthread_should_stop()) {
		set_current_state(TASK_INTERRUPTIBLE);
		if (!kthread_should_stop())
			schedule();
		__set_current_state(TASK_RUNNING);
	}
	return 0;
}

/* One ping-pong of @handoffs turns: nanoseconds in all, or 0 on failure. */
static u64 varwait_pingpong(void)
{
	struct varwait_player players[2];
	struct varwait_game game = { .handoffs = handoffs };
	struct task_struct *t[2] = { ERR_PTR(-ENOENT), ERR_PTR(-ENOENT) };
	u64 start = 0, ns = 0;
	int i;

	atomic_set(&game.turn, 0);
	for (i = 0; i < 2; i++) {
		init_completion(&game.done[i]);
		players[i] = (struct varwait_player){ .game = &game, .me = i };
		t[i] = kthread_create(varwait_play, &players[i], "varwait/%d", i);
		if (IS_ERR(t[i])) {
			/* A player already made gives up at once. */
			WRITE_ONCE(game.failed, 1);
			break;
		}
	}
	start = ktime_get_ns();
	for (i = 0; i < 2; i++)
		if (!IS_ERR(t[i]))
			wake_up_process(t[i]);
	for (i = 0; i < 2; i++)
		if (!IS_ERR(t[i]))
			wait_for_completion(&game.done[i]);
	if (!READ_ONCE(game.failed))
		ns = ktime_get_ns() - start;
	for (i = 0; i < 2; i++)
		if (!IS_ERR(t[i]))
			kthread_stop(t[i]);
	return ns;
}

static u64 varwait_wake(void)
{
	atomic_t nobody = ATOMIC_INIT(0);
	unsigned int i;
	u64 start = ktime_get_ns();

	for (i = 0; i < loops; i++)
		wake_up_var(&nobody);
	return ktime_get_ns() - start;
}

static int cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

static int __init varwait_init(void)
{
	unsigned int i;

	for (i = 0; i < runs; i++) {
		wake_ns[i] = varwait_wake();
		pingpong_ns[i] = varwait_pingpong();
		if (!pingpong_ns[i]) {
			pr_err("a ping-pong turn was not passed within %d s: lost wake-up\n",
			       VARWAIT_TURN_TIMEOUT / HZ);
			return -ETIMEDOUT;
		}
		cond_resched();
	}
	sort(wake_ns, runs, sizeof(u64), cmp_u64, NULL);
	sort(pingpong_ns, runs, sizeof(u64), cmp_u64, NULL);
	pr_info("VARWAIT wake_ns=%llu wake_min_ns=%llu wake_max_ns=%llu pingpong_ns=%llu pingpong_min_ns=%llu pingpong_max_ns=%llu\n",
		div_u64(wake_ns[runs / 2], loops), div_u64(wake_ns[0], loops),
		div_u64(wake_ns[runs - 1], loops),
		div_u64(pingpong_ns[runs / 2], handoffs),
		div_u64(pingpong_ns[0], handoffs),
		div_u64(pingpong_ns[runs - 1], handoffs));
	return 0;
}

static void __exit varwait_exit(void)
{
}

module_init(varwait_init);
module_exit(varwait_exit);

MODULE_DESCRIPTION("Cost of wait_var_event() and wake_up_var() outside netfs (tests only)");
MODULE_LICENSE("GPL");
