/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel interfaces that moved across versions and that only the test
 * modules use; the library's own are in ../netfs_iocount_compat.h.
 */
#ifndef _NETFS_IOCOUNT_TEST_COMPAT_H
#define _NETFS_IOCOUNT_TEST_COMPAT_H

#include <linux/dcache.h>
#include <linux/fs.h>
#include <linux/kthread.h>
#include <linux/netfs.h>
#include <linux/sched.h>
#include <linux/uio.h>
#include <linux/version.h>

/* A task's state: ->state became ->__state in 5.14. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(5, 14, 0)
#define netfs_iocount_task_state(t) READ_ONCE((t)->__state)
#else
#define netfs_iocount_task_state(t) READ_ONCE((t)->state)
#endif

/* KUnit's fail-and-abort was KUNIT_ASSERT_FAILURE() before 6.6. */
#include <kunit/test.h>
#ifndef KUNIT_FAIL_AND_ABORT
#define KUNIT_FAIL_AND_ABORT(test, fmt, ...) \
	KUNIT_ASSERT_FAILURE(test, fmt, ##__VA_ARGS__)
#endif

/* shmem_file_setup()'s flags became a vma_flags_t in 7.x. */
#include <linux/mm_types.h>
#ifdef EMPTY_VMA_FLAGS
#define COMPAT_SHMEM_NO_FLAGS EMPTY_VMA_FLAGS
#else
#define COMPAT_SHMEM_NO_FLAGS 0
#endif

/* kthread_complete_and_exit() was complete_and_exit() before 5.17. */
#if LINUX_VERSION_CODE < KERNEL_VERSION(5, 17, 0)
#define kthread_complete_and_exit(comp, code) complete_and_exit(comp, code)
#endif

/*
 * The netfs interfaces of the test filesystem (iocountfs.c), by the
 * features tests/Kbuild probes (compat.mk), never by version: some moved
 * inside a stable series.
 */

/* netfs_inode_init() gained use_zero_point. */
#ifdef NETFS_IOCOUNT_HAVE_NETFS_INODE_INIT_3
#define compat_netfs_inode_init(ctx, ops) netfs_inode_init(ctx, ops, false)
#else
#define compat_netfs_inode_init(ctx, ops) netfs_inode_init(ctx, ops)
#endif

/* netfs's read_iter, which takes the inode's I/O lock around the read. */
#ifdef NETFS_IOCOUNT_HAVE_NETFS_FILE_READ_ITER
#define compat_file_read_iter netfs_file_read_iter
#else
#define compat_file_read_iter generic_file_read_iter
#endif

/* generic_file_splice_read() gave way to filemap_splice_read(). */
#ifdef NETFS_IOCOUNT_HAVE_FILEMAP_SPLICE_READ
#define compat_file_splice_read filemap_splice_read
#else
#define compat_file_splice_read generic_file_splice_read
#endif

/*
 * A read subrequest's buffer: its own iterator, which the copy advances, or
 * (before it had one) an iterator over the pagecache range it covers, set
 * up in @scratch.
 */
static inline struct iov_iter *
compat_subreq_dest(struct netfs_io_subrequest *subreq, struct iov_iter *scratch)
{
#ifdef NETFS_IOCOUNT_HAVE_SUBREQ_IO_ITER
	return &subreq->io_iter;
#else
	struct netfs_io_request *rreq = subreq->rreq;

	iov_iter_xarray(scratch, ITER_DEST, &rreq->mapping->i_pages,
			subreq->start + subreq->transferred,
			subreq->len - subreq->transferred);
	return scratch;
#endif
}

/*
 * Complete a read subrequest with @ret, the bytes read into it (advancing
 * its iterator, where it has one) or a negative error.
 */
static inline void compat_read_subreq_done(struct netfs_io_subrequest *subreq,
					   ssize_t ret, bool was_async)
{
#if defined(NETFS_IOCOUNT_HAVE_READ_SUBREQ_TERMINATED_1) || \
	defined(NETFS_IOCOUNT_HAVE_READ_SUBREQ_TERMINATED_3)
	if (ret > 0) {
		subreq->transferred += ret;
#ifdef NETFS_SREQ_MADE_PROGRESS
		__set_bit(NETFS_SREQ_MADE_PROGRESS, &subreq->flags);
#endif
	}
#ifdef NETFS_IOCOUNT_HAVE_READ_SUBREQ_TERMINATED_1
	subreq->error = ret < 0 ? ret : 0;
	netfs_read_subreq_terminated(subreq);
#else
	netfs_read_subreq_terminated(subreq, ret < 0 ? ret : 0, was_async);
#endif
#else
	netfs_subreq_terminated(subreq, ret, was_async);
#endif
}

/*
 * Files of a test superblock: dentries made once at mount and dropped by
 * kill_sb.  7.x marks them persistent for kill_anon_super(); before, they
 * were plain hashed dentries and kill_litter_super() dropped them.
 */
static inline void compat_d_add_persistent(struct dentry *dentry,
					   struct inode *inode)
{
#ifdef NETFS_IOCOUNT_HAVE_D_MAKE_PERSISTENT
	d_make_persistent(dentry, inode);
	dput(dentry);
#else
	d_add(dentry, inode);
#endif
}

#ifdef NETFS_IOCOUNT_HAVE_D_MAKE_PERSISTENT
#define compat_kill_persistent_super kill_anon_super
#else
#define compat_kill_persistent_super kill_litter_super
#endif

#endif /* _NETFS_IOCOUNT_TEST_COMPAT_H */
