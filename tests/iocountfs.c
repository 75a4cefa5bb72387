// SPDX-License-Identifier: GPL-2.0
/*
 * iocountfs: a read-only test filesystem on the kernel's netfs library with
 * the structure of the 9p umount race, to show the race and the fix.
 *
 * Like 9p, each mount has a client that owns per-request resources: a
 * request takes a "fid" from the client in init_request and releases it in
 * free_request, and releasing it takes a while (9p sends a Tclunk and waits
 * for the reply).  Reads complete asynchronously from a workqueue after a
 * configurable latency, so the last put of a request, and thus
 * free_request, runs on a workqueue after the read that caused it has
 * returned.  kill_sb evicts the inodes, then tears the client down.
 *
 * With iocount=on (the default) ->evict_inode waits for the inode's
 * outstanding requests (netfs_iocount_evict_inode()) and the client always
 * outlives its fids.  Where netfs counts an inode's requests itself (6.10+),
 * the wait is on that count (netfs_inode_iocount()) and iocountfs keeps
 * none; before, iocountfs counts them with netfs_iocount_request_begin()
 * and _end(), as the library's glue documents.  With iocount=off (negative
 * control only) eviction does not wait, and a fid released after umount
 * finds its client freed: a use-after-free, reported by KASAN and by the
 * client's own poison check.
 *
 * File contents are a function of inode number and offset (iocfs_byte(),
 * repeated in tests/iocfs-reader.c), so readers check every byte.
 *
 * Mount options: files=N, size=BYTES (a multiple of the page size),
 * latency_ms=MS (read completion), release_ms=MS (fid release),
 * err_rate=PERCENT (pages whose reads fail with -EIO), iocount=on|off,
 * stall_ino=INO (0, or the inode of a file, 2..files+1).
 *
 * With stall_ino, the fids of that inode's requests are not released until
 * 1 is written to the module parameter "release": a server that has
 * stopped answering clunks.  The reads themselves complete, so no page
 * stays locked, the reader returns and umount gets as far as eviction,
 * where it waits for the stalled requests.  Holding a read instead would
 * stop umount earlier, in truncate_inode_pages_final() on the pages the
 * read has locked, before any count is waited for.
 */

#define pr_fmt(fmt) "iocountfs: " fmt

#include <linux/backing-dev.h>
#include <linux/delay.h>
#include <linux/fs.h>
#include <linux/fs_context.h>
#include <linux/fs_parser.h>
#include <linux/hash.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/netfs.h>
#include <linux/pagemap.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uio.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include "../netfs_iocount.h"
#include "netfs_iocount_test_compat.h"

#define IOCFS_MAGIC		0x696f6366
#define IOCFS_CLIENT_LIVE	0x4c495645
#define IOCFS_CLIENT_DEAD	0x44454144
#define IOCFS_MAX_FILES		1024
#define IOCFS_MAX_SIZE		(16 << 20)
#define IOCFS_MAX_MS		1000
#define IOCFS_RA_PAGES		32

struct iocfs_options {
	u32 files;
	u32 size;
	u32 latency_ms;
	u32 release_ms;
	u32 err_rate;
	u32 stall_ino;
	bool iocount;
};

/* The per-mount client, the owner of every fid. */
struct iocfs_client {
	u32 magic;
	atomic_t fids;
	struct iocfs_options opt;
	atomic_t max_count;		/* largest count seen by a begin */
	atomic64_t requests;
	atomic64_t errors;		/* injected */
	unsigned int evicted;		/* the rest: eviction, under umount */
	unsigned int waited;
	u64 wait_ns_total;
	u64 wait_ns_max;
};

/* A request's handle on the client, like a 9p fid. */
struct iocfs_fid {
	struct iocfs_client *clnt;
	bool counted;			/* begun on the inode's iocount */
};

struct iocfs_inode {
	struct netfs_inode netfs;	/* first: netfs_inode() casts */
#ifndef NETFS_IOCOUNT_HAVE_NETFS_IO_COUNT
	struct netfs_iocount iocount;
#endif
};

/* A subrequest whose completion is deferred. */
struct iocfs_read {
	struct delayed_work work;
	struct netfs_io_subrequest *subreq;
};

static struct kmem_cache *iocfs_inode_cache;
static struct workqueue_struct *iocfs_wq;

/* Requests between init_request and free_request, over all mounts. */
static atomic_t iocfs_inflight = ATOMIC_INIT(0);

/*
 * Fid releases held by stall_ino, and their release: each write of
 * "release" lets every release held so far go on.
 */
static atomic_t iocfs_stalled = ATOMIC_INIT(0);
static atomic_t iocfs_release_seq = ATOMIC_INIT(0);
static DECLARE_WAIT_QUEUE_HEAD(iocfs_release_wq);

static int iocfs_stalled_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%d\n", atomic_read(&iocfs_stalled));
}

static const struct kernel_param_ops iocfs_stalled_ops = {
	.get = iocfs_stalled_get,
};
module_param_cb(stalled, &iocfs_stalled_ops, NULL, 0444);
MODULE_PARM_DESC(stalled, "fid releases held by stall_ino (read-only)");

static int iocfs_release_set(const char *val, const struct kernel_param *kp)
{
	bool on;

	if (kstrtobool(val, &on) || !on) {
		pr_err("release=%s is invalid: write 1 to release the stalled fids\n",
		       val);
		return -EINVAL;
	}
	atomic_inc(&iocfs_release_seq);
	wake_up_all(&iocfs_release_wq);
	return 0;
}

static const struct kernel_param_ops iocfs_release_ops = {
	.set = iocfs_release_set,
};
module_param_cb(release, &iocfs_release_ops, NULL, 0200);
MODULE_PARM_DESC(release, "write 1: release every fid held by stall_ino");

static int iocfs_inflight_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%d\n", atomic_read(&iocfs_inflight));
}

static const struct kernel_param_ops iocfs_inflight_ops = {
	.get = iocfs_inflight_get,
};
module_param_cb(inflight, &iocfs_inflight_ops, NULL, 0444);
MODULE_PARM_DESC(inflight, "requests allocated and not yet freed (read-only)");

/*
 * The exit test's tail (tests/guest/iocountfs-exit-tail.sh): the next
 * free_request spins this long after its end of the count, still in this
 * module's text while umount, no longer waiting, lets rmmod run.  It spins
 * (mdelay), for a sleep is a voluntary switch: an RCU Tasks quiescent
 * state, which would let module exit's wait for the tail through without
 * proving that it waits.  One-shot; at most IOCFS_MAX_TAIL_MS.
 */
#define IOCFS_MAX_TAIL_MS	5000
static unsigned int iocfs_tail_ms;

static int iocfs_tail_set(const char *val, const struct kernel_param *kp)
{
	unsigned int ms;

	if (kstrtouint(val, 0, &ms) || ms > IOCFS_MAX_TAIL_MS) {
		pr_err("tail_ms=%s is invalid: expected 0..%u\n", val,
		       IOCFS_MAX_TAIL_MS);
		return -EINVAL;
	}
	WRITE_ONCE(iocfs_tail_ms, ms);
	return 0;
}

static const struct kernel_param_ops iocfs_tail_ops = {
	.set = iocfs_tail_set,
	.get = param_get_uint,
};
module_param_cb(tail_ms, &iocfs_tail_ops, &iocfs_tail_ms, 0644);
MODULE_PARM_DESC(tail_ms, "the next free_request spins this long after its end of the count (one-shot, for the exit test)");

/*
 * Allocations of iocountfs's own that failed, by the step that made them:
 * the failslab sweep (tests/guest/iocountfs-failslab.sh) shows it reached
 * both of the request's failure paths that the filesystem owns.
 */
static atomic_t iocfs_init_enomem = ATOMIC_INIT(0);
static atomic_t iocfs_issue_enomem = ATOMIC_INIT(0);

static int iocfs_enomem_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "init_request %d issue_read %d\n",
			  atomic_read(&iocfs_init_enomem),
			  atomic_read(&iocfs_issue_enomem));
}

static const struct kernel_param_ops iocfs_enomem_ops = {
	.get = iocfs_enomem_get,
};
module_param_cb(enomem, &iocfs_enomem_ops, NULL, 0444);
MODULE_PARM_DESC(enomem, "allocations failed in init_request and issue_read (read-only)");

/*
 * fail_next=SITE fails the next allocation of iocountfs's own at SITE, once:
 * each of the request's failure paths that the filesystem owns is taken
 * for certain, where failslab's sweep reaches them only by chance (which
 * allocations a read passes varies from read to read).
 */
enum iocfs_site { IOCFS_SITE_NONE, IOCFS_SITE_INIT_REQUEST, IOCFS_SITE_ISSUE_READ };

static const char * const iocfs_site_names[] = {
	[IOCFS_SITE_NONE]		= "none",
	[IOCFS_SITE_INIT_REQUEST]	= "init_request",
	[IOCFS_SITE_ISSUE_READ]		= "issue_read",
};

static atomic_t iocfs_fail_next = ATOMIC_INIT(IOCFS_SITE_NONE);

static int iocfs_fail_next_set(const char *val, const struct kernel_param *kp)
{
	int site = sysfs_match_string(iocfs_site_names, val);

	if (site <= IOCFS_SITE_NONE) {
		pr_err("fail_next=%s is invalid: expected init_request or issue_read\n",
		       val);
		return -EINVAL;
	}
	atomic_set(&iocfs_fail_next, site);
	return 0;
}

static int iocfs_fail_next_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%s\n",
			  iocfs_site_names[atomic_read(&iocfs_fail_next)]);
}

static const struct kernel_param_ops iocfs_fail_next_ops = {
	.set = iocfs_fail_next_set,
	.get = iocfs_fail_next_get,
};
module_param_cb(fail_next, &iocfs_fail_next_ops, NULL, 0644);
MODULE_PARM_DESC(fail_next, "fail the next allocation at init_request or issue_read (one-shot)");

/* kzalloc(), or NULL where fail_next is armed for @site. */
static void *iocfs_kzalloc(size_t size, enum iocfs_site site)
{
	if (atomic_cmpxchg(&iocfs_fail_next, site, IOCFS_SITE_NONE) == site)
		return NULL;
	return kzalloc(size, GFP_NOFS);
}

/* Whose count eviction waits on: "netfs" (6.10+) or "iocountfs". */
#ifdef NETFS_IOCOUNT_HAVE_NETFS_IO_COUNT
static char *counter = "netfs";
#else
static char *counter = "iocountfs";
#endif
module_param(counter, charp, 0444);
MODULE_PARM_DESC(counter, "whose count of requests eviction waits on: netfs or iocountfs (read-only)");

static inline struct iocfs_inode *IOCFS_I(struct inode *inode)
{
	return container_of(inode, struct iocfs_inode, netfs.inode);
}

/*
 * The inode's count of outstanding requests: netfs's own where netfs keeps
 * one (6.10+; a second count would only duplicate it), else ours.
 */
static struct netfs_iocount *iocfs_iocount(struct iocfs_inode *ii)
{
#ifdef NETFS_IOCOUNT_HAVE_NETFS_IO_COUNT
	return netfs_inode_iocount(&ii->netfs);
#else
	return &ii->iocount;
#endif
}

/*
 * Count @rreq against its inode, where netfs does not: the last step of
 * init_request.  Returns the inode's count with @rreq in it.
 */
static int iocfs_request_begin(struct netfs_io_request *rreq,
			       struct iocfs_inode *ii)
{
#ifdef NETFS_IOCOUNT_HAVE_NETFS_IO_COUNT
	/* netfs counts the request itself once init_request returns. */
	return netfs_iocount_read(iocfs_iocount(ii)) + 1;
#else
	netfs_iocount_request_begin(rreq, iocfs_iocount(ii));
	return netfs_iocount_read(iocfs_iocount(ii));
#endif
}

/* Uncount @rreq, where netfs does not: the last step of free_request. */
static void iocfs_request_end(struct netfs_io_request *rreq,
			      struct iocfs_inode *ii)
{
#ifndef NETFS_IOCOUNT_HAVE_NETFS_IO_COUNT
	netfs_iocount_request_end(rreq, iocfs_iocount(ii));
#endif
}

/* The byte at @pos of inode @ino; tests/iocfs-reader.c has the same. */
static u8 iocfs_byte(u64 ino, u64 pos)
{
	return (u8)(pos * 31 + ino * 131 + (pos >> 12) * 7);
}

/* Whether the page at @index of inode @ino is one whose reads fail. */
static bool iocfs_page_is_bad(struct iocfs_client *c, u64 ino, pgoff_t index)
{
	return hash_64(ino << 32 ^ index, 32) % 100 < c->opt.err_rate;
}

/*
 * A subrequest fails if it covers a bad page, so that a page's reads fail
 * however the reads are cut, and readers do see the error.
 */
static bool iocfs_inject_error(struct iocfs_client *c,
			       struct netfs_io_subrequest *subreq)
{
	u64 ino = subreq->rreq->inode->i_ino;
	pgoff_t index = subreq->start >> PAGE_SHIFT;
	pgoff_t last = (subreq->start + subreq->len - 1) >> PAGE_SHIFT;

	if (!c->opt.err_rate)
		return false;
	for (; index <= last; index++)
		if (iocfs_page_is_bad(c, ino, index))
			return true;
	return false;
}

static void iocfs_client_check(struct iocfs_client *c)
{
	if (READ_ONCE(c->magic) != IOCFS_CLIENT_LIVE)
		pr_err("use-after-free: fid released after its client was torn down\n");
}

/* A clunk the server does not answer until "release" is written. */
static void iocfs_fid_stall(void)
{
	int seq = atomic_read(&iocfs_release_seq);

	atomic_inc(&iocfs_stalled);
	wait_event(iocfs_release_wq, atomic_read(&iocfs_release_seq) != seq);
	atomic_dec(&iocfs_stalled);
}

/* Release a fid, taking as long as a clunk round trip would. */
static void iocfs_fid_release(struct iocfs_fid *fid, u64 ino)
{
	struct iocfs_client *c = fid->clnt;

	if (ino == c->opt.stall_ino)
		iocfs_fid_stall();
	msleep(c->opt.release_ms);
	iocfs_client_check(c);
	atomic_dec(&c->fids);
	kfree(fid);
}

/* ---- netfs request ops ---- */

static int iocfs_init_request(struct netfs_io_request *rreq, struct file *file)
{
	struct iocfs_client *c = rreq->inode->i_sb->s_fs_info;
	struct iocfs_inode *ii = IOCFS_I(rreq->inode);
	struct iocfs_fid *fid;
	int count, max;

	fid = iocfs_kzalloc(sizeof(*fid), IOCFS_SITE_INIT_REQUEST);
	if (!fid) {
		atomic_inc(&iocfs_init_enomem);
		return -ENOMEM;
	}
	fid->clnt = c;
	atomic_inc(&c->fids);
	atomic64_inc(&c->requests);
	atomic_inc(&iocfs_inflight);
	rreq->netfs_priv = fid;

	/* Nothing can fail any more: count the request against its inode. */
	fid->counted = c->opt.iocount;
	if (fid->counted) {
		count = iocfs_request_begin(rreq, ii);
		max = atomic_read(&c->max_count);
		while (count > max &&
		       !atomic_try_cmpxchg(&c->max_count, &max, count))
			;
	}
	return 0;
}

/* The armed tail of tail_ms, if any: nothing of the request is touched. */
static void iocfs_tail(void)
{
	unsigned int ms = xchg(&iocfs_tail_ms, 0);

	if (!ms)
		return;
	pr_info("tail: free_request spins %u ms after the end of its count\n", ms);
	mdelay(ms);
	pr_info("tail done\n");
}

static void iocfs_free_request(struct netfs_io_request *rreq)
{
	struct iocfs_fid *fid = rreq->netfs_priv;
	struct iocfs_inode *ii = IOCFS_I(rreq->inode);
	bool counted = fid->counted;

	iocfs_fid_release(fid, rreq->inode->i_ino);
	atomic_dec(&iocfs_inflight);
	/* The very last access to the inode: eviction may proceed after it. */
	if (counted)
		iocfs_request_end(rreq, ii);
	iocfs_tail();
}

/* Fill a subrequest's range with the file's contents. */
static ssize_t iocfs_fill(struct netfs_io_subrequest *subreq)
{
	struct netfs_io_request *rreq = subreq->rreq;
	loff_t pos = subreq->start + subreq->transferred;
	size_t len = subreq->len - subreq->transferred;
	u64 ino = rreq->inode->i_ino;
	struct iov_iter scratch, *to;
	u8 buf[256];
	size_t done = 0, n, i;

	to = compat_subreq_dest(subreq, &scratch);
	while (done < len) {
		n = min(len - done, sizeof(buf));
		for (i = 0; i < n; i++)
			buf[i] = iocfs_byte(ino, pos + done + i);
		if (copy_to_iter(buf, n, to) != n)
			return -EFAULT;
		done += n;
	}
	return done;
}

static void iocfs_complete_read(struct work_struct *work)
{
	struct iocfs_read *r = container_of(to_delayed_work(work),
					    struct iocfs_read, work);
	struct netfs_io_subrequest *subreq = r->subreq;
	struct netfs_io_request *rreq = subreq->rreq;
	struct iocfs_client *c = rreq->inode->i_sb->s_fs_info;
	ssize_t ret;

	kfree(r);
	if (iocfs_inject_error(c, subreq)) {
		atomic64_inc(&c->errors);
		ret = -EIO;
	} else {
		ret = iocfs_fill(subreq);
	}
	__set_bit(NETFS_SREQ_CLEAR_TAIL, &subreq->flags);
	/* Asynchronous: the request's last put queues free_request. */
	compat_read_subreq_done(subreq, ret, true);
}

static void iocfs_issue_read(struct netfs_io_subrequest *subreq)
{
	struct iocfs_client *c = subreq->rreq->inode->i_sb->s_fs_info;
	struct iocfs_read *r;

	r = iocfs_kzalloc(sizeof(*r), IOCFS_SITE_ISSUE_READ);
	if (!r) {
		atomic_inc(&iocfs_issue_enomem);
		compat_read_subreq_done(subreq, -ENOMEM, false);
		return;
	}
	r->subreq = subreq;
	INIT_DELAYED_WORK(&r->work, iocfs_complete_read);
	queue_delayed_work(iocfs_wq, &r->work,
			   msecs_to_jiffies(c->opt.latency_ms));
}

static const struct netfs_request_ops iocfs_req_ops = {
	.init_request	= iocfs_init_request,
	.free_request	= iocfs_free_request,
	.issue_read	= iocfs_issue_read,
};

static const struct address_space_operations iocfs_aops = {
	.read_folio	= netfs_read_folio,
	.readahead	= netfs_readahead,
};

static const struct file_operations iocfs_file_ops = {
	.llseek		= generic_file_llseek,
	.read_iter	= compat_file_read_iter,
	.mmap		= generic_file_readonly_mmap,
	.splice_read	= compat_file_splice_read,
};

/* ---- inodes and superblock ---- */

static struct inode *iocfs_alloc_inode(struct super_block *sb)
{
	struct iocfs_inode *ii;

	ii = alloc_inode_sb(sb, iocfs_inode_cache, GFP_KERNEL);
	if (!ii)
		return NULL;
	netfs_iocount_init(iocfs_iocount(ii));	/* directories too */
	return &ii->netfs.inode;
}

static void iocfs_free_inode(struct inode *inode)
{
	kmem_cache_free(iocfs_inode_cache, IOCFS_I(inode));
}

static void iocfs_evict_inode(struct inode *inode)
{
	struct iocfs_client *c = inode->i_sb->s_fs_info;
	struct iocfs_inode *ii = IOCFS_I(inode);
	u64 start, ns;
	bool busy;

	truncate_inode_pages_final(&inode->i_data);
	c->evicted++;
	if (!c->opt.iocount) {
		/* The code before the fix: nothing waits for free_request. */
		clear_inode(inode);
		return;
	}
	busy = netfs_iocount_read(iocfs_iocount(ii));
	start = ktime_get_ns();
	netfs_iocount_evict_inode(inode, iocfs_iocount(ii));
	if (!busy)
		return;
	ns = ktime_get_ns() - start;
	c->waited++;
	c->wait_ns_total += ns;
	c->wait_ns_max = max(c->wait_ns_max, ns);
}

static const struct super_operations iocfs_sops = {
	.alloc_inode	= iocfs_alloc_inode,
	.free_inode	= iocfs_free_inode,
	.evict_inode	= iocfs_evict_inode,
	.statfs		= simple_statfs,
};

static int iocfs_add_file(struct super_block *sb, struct dentry *root, u32 i)
{
	struct iocfs_client *c = sb->s_fs_info;
	struct dentry *dentry;
	struct inode *inode;
	char name[16];

	inode = new_inode(sb);
	if (!inode)
		return -ENOMEM;
	inode->i_ino = i + 2;
	inode->i_mode = S_IFREG | 0444;
	inode->i_fop = &iocfs_file_ops;
	inode->i_mapping->a_ops = &iocfs_aops;
	i_size_write(inode, c->opt.size);
	compat_netfs_inode_init(&IOCFS_I(inode)->netfs, &iocfs_req_ops);

	snprintf(name, sizeof(name), "f%u", i);
	dentry = d_alloc_name(root, name);
	if (!dentry) {
		iput(inode);
		return -ENOMEM;
	}
	compat_d_add_persistent(dentry, inode);	/* pinned until kill_sb */
	return 0;
}

static int iocfs_fill_super(struct super_block *sb, struct fs_context *fc)
{
	struct iocfs_client *c = sb->s_fs_info;
	struct inode *root;
	u32 i;
	int ret;

	sb->s_magic = IOCFS_MAGIC;
	sb->s_op = &iocfs_sops;
	sb->s_blocksize = PAGE_SIZE;
	sb->s_blocksize_bits = PAGE_SHIFT;
	sb->s_maxbytes = MAX_LFS_FILESIZE;
	sb->s_flags |= SB_RDONLY;
	/* Readahead, as 9p has: its requests complete and are freed async. */
	ret = super_setup_bdi(sb);
	if (ret)
		return ret;
	sb->s_bdi->ra_pages = IOCFS_RA_PAGES;
	sb->s_bdi->io_pages = IOCFS_RA_PAGES;

	root = new_inode(sb);
	if (!root)
		return -ENOMEM;
	root->i_ino = 1;
	root->i_mode = S_IFDIR | 0555;
	root->i_op = &simple_dir_inode_operations;
	root->i_fop = &simple_dir_operations;
	set_nlink(root, 2);
	sb->s_root = d_make_root(root);
	if (!sb->s_root)
		return -ENOMEM;

	for (i = 0; i < c->opt.files; i++) {
		ret = iocfs_add_file(sb, sb->s_root, i);
		if (ret)
			return ret;
	}
	return 0;
}

static void iocfs_client_destroy(struct iocfs_client *c)
{
	pr_info("umount: %u inodes evicted, %u waited for I/O (longest %llu us, total %llu us), largest count %d, %lld requests, %lld injected errors\n",
		c->evicted, c->waited, div_u64(c->wait_ns_max, NSEC_PER_USEC),
		div_u64(c->wait_ns_total, NSEC_PER_USEC),
		atomic_read(&c->max_count), atomic64_read(&c->requests),
		atomic64_read(&c->errors));
	/* What a fid released after this finds: poison, then freed memory. */
	WRITE_ONCE(c->magic, IOCFS_CLIENT_DEAD);
	kfree(c);
}

static void iocfs_kill_sb(struct super_block *sb)
{
	struct iocfs_client *c = sb->s_fs_info;

	compat_kill_persistent_super(sb);	/* evicts every inode */
	if (c)
		iocfs_client_destroy(c);
}

/* ---- mount options ---- */

enum {
	IOCFS_OPT_FILES,
	IOCFS_OPT_SIZE,
	IOCFS_OPT_LATENCY,
	IOCFS_OPT_RELEASE,
	IOCFS_OPT_ERR_RATE,
	IOCFS_OPT_STALL_INO,
	IOCFS_OPT_IOCOUNT,
};

static const struct constant_table iocfs_onoff[] = {
	{ "on", 1 },
	{ "off", 0 },
	{}
};

static const struct fs_parameter_spec iocfs_params[] = {
	fsparam_u32("files", IOCFS_OPT_FILES),
	fsparam_u32("size", IOCFS_OPT_SIZE),
	fsparam_u32("latency_ms", IOCFS_OPT_LATENCY),
	fsparam_u32("release_ms", IOCFS_OPT_RELEASE),
	fsparam_u32("err_rate", IOCFS_OPT_ERR_RATE),
	fsparam_u32("stall_ino", IOCFS_OPT_STALL_INO),
	fsparam_enum("iocount", IOCFS_OPT_IOCOUNT, iocfs_onoff),
	{}
};

static int iocfs_parse_param(struct fs_context *fc, struct fs_parameter *param)
{
	struct iocfs_client *c = fc->s_fs_info;
	struct fs_parse_result result;
	int opt;

	opt = fs_parse(fc, iocfs_params, param, &result);
	if (opt < 0)
		return opt;
	switch (opt) {
	case IOCFS_OPT_FILES:
		if (result.uint_32 < 1 || result.uint_32 > IOCFS_MAX_FILES)
			return invalfc(fc, "files=%u: expected 1..%u",
				       result.uint_32, IOCFS_MAX_FILES);
		c->opt.files = result.uint_32;
		break;
	case IOCFS_OPT_SIZE:
		if (!result.uint_32 || result.uint_32 > IOCFS_MAX_SIZE ||
		    !PAGE_ALIGNED(result.uint_32))
			return invalfc(fc, "size=%u: expected a multiple of %lu up to %u",
				       result.uint_32, PAGE_SIZE, IOCFS_MAX_SIZE);
		c->opt.size = result.uint_32;
		break;
	case IOCFS_OPT_LATENCY:
	case IOCFS_OPT_RELEASE:
		if (result.uint_32 > IOCFS_MAX_MS)
			return invalfc(fc, "%s=%u: expected 0..%u", param->key,
				       result.uint_32, IOCFS_MAX_MS);
		if (opt == IOCFS_OPT_LATENCY)
			c->opt.latency_ms = result.uint_32;
		else
			c->opt.release_ms = result.uint_32;
		break;
	case IOCFS_OPT_ERR_RATE:
		if (result.uint_32 > 100)
			return invalfc(fc, "err_rate=%u: expected 0..100",
				       result.uint_32);
		c->opt.err_rate = result.uint_32;
		break;
	case IOCFS_OPT_STALL_INO:
		c->opt.stall_ino = result.uint_32;
		break;
	case IOCFS_OPT_IOCOUNT:
		c->opt.iocount = result.uint_32;
		break;
	}
	return 0;
}

static int iocfs_get_tree(struct fs_context *fc)
{
	struct iocfs_client *c = fc->s_fs_info;
	u32 ino = c->opt.stall_ino;

	/* Checked once every option is known: files= may come after it. */
	if (ino && (ino < 2 || ino > c->opt.files + 1))
		return invalfc(fc, "stall_ino=%u: expected 0 or a file's inode, 2..%u",
			       ino, c->opt.files + 1);
	return get_tree_nodev(fc, iocfs_fill_super);
}

static void iocfs_free_fc(struct fs_context *fc)
{
	kfree(fc->s_fs_info);	/* still ours if no superblock took it */
}

static const struct fs_context_operations iocfs_context_ops = {
	.parse_param	= iocfs_parse_param,
	.get_tree	= iocfs_get_tree,
	.free		= iocfs_free_fc,
};

static int iocfs_init_fs_context(struct fs_context *fc)
{
	struct iocfs_client *c;

	c = kzalloc(sizeof(*c), GFP_KERNEL);
	if (!c)
		return -ENOMEM;
	c->magic = IOCFS_CLIENT_LIVE;
	c->opt = (struct iocfs_options) {
		.files = 8, .size = 256 << 10, .latency_ms = 20,
		.release_ms = 20, .err_rate = 0, .iocount = true,
	};
	fc->s_fs_info = c;
	fc->ops = &iocfs_context_ops;
	return 0;
}

static struct file_system_type iocfs_type = {
	.owner			= THIS_MODULE,
	.name			= "iocountfs",
	.init_fs_context	= iocfs_init_fs_context,
	.kill_sb		= iocfs_kill_sb,
};

static void iocfs_inode_init_once(void *obj)
{
	struct iocfs_inode *ii = obj;

	inode_init_once(&ii->netfs.inode);
}

static int __init iocfs_init(void)
{
	int ret = -ENOMEM;

	iocfs_inode_cache = kmem_cache_create("iocountfs_inode",
					      sizeof(struct iocfs_inode), 0,
					      SLAB_ACCOUNT, iocfs_inode_init_once);
	if (!iocfs_inode_cache)
		return ret;
	iocfs_wq = alloc_workqueue("iocountfs", WQ_UNBOUND, 0);
	if (!iocfs_wq)
		goto free_cache;
	ret = register_filesystem(&iocfs_type);
	if (ret)
		goto free_wq;
	return 0;

free_wq:
	destroy_workqueue(iocfs_wq);
free_cache:
	kmem_cache_destroy(iocfs_inode_cache);
	return ret;
}

static void __exit iocfs_exit(void)
{
	unregister_filesystem(&iocfs_type);
	destroy_workqueue(iocfs_wq);
	rcu_barrier();	/* inodes are freed after a grace period */
	/*
	 * A free_request whose end of the count let the last umount finish
	 * may still be returning through this module's text.
	 */
	synchronize_rcu_tasks();
	kmem_cache_destroy(iocfs_inode_cache);
}

module_init(iocfs_init);
module_exit(iocfs_exit);

MODULE_DESCRIPTION("Test filesystem on netfs reproducing the umount race");
MODULE_LICENSE("GPL");
MODULE_ALIAS_FS("iocountfs");
