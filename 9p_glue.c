// SPDX-License-Identifier: GPL-2.0
/*
 * Glue between netfs_iocount and filesystems built on netfs requests the
 * way 9p is (afs, cifs and ceph share the shape): a per-inode count of
 * the requests whose free path still uses the inode or the per-mount
 * client, and the wait in ->evict_inode.  It is the calls a filesystem's
 * own code makes; nothing here knows 9p's structures.  What patches the
 * running kernel's 9p and afs, with no change to their code, is the hotfix
 * (netfs_iocount_hotfix.c), a module of its own because it is a livepatch:
 * loading the glue must never patch the kernel.
 *
 * Before 6.10 netfs keeps no count: a filesystem embeds a struct
 * netfs_iocount in its inode, calls netfs_iocount_request_begin() at the
 * end of its netfs_request_ops.init_request, netfs_iocount_request_end() as
 * the last thing its free_request does, and netfs_iocount_evict_inode() from
 * ->evict_inode in place of clear_inode().
 *
 * From 6.10 netfs counts an inode's requests itself (io_count) and the
 * filesystem counts nothing: it calls netfs_iocount_evict_inode() with
 * netfs's counter, netfs_inode_iocount(netfs_inode(inode)), where it called
 * netfs_wait_for_outstanding_io() and clear_inode().  The wait sleeps on
 * netfs's own counter, is woken by netfs, never changes it, and names the
 * inode when it hangs; track_netfs=1 names the requests.  The begin and
 * end calls are declared only where they apply.
 *
 * tests/iocountfs.c is a complete example of both.
 */

#include <linux/fs.h>
#include <linux/module.h>
#include <linux/netfs.h>

#include "netfs_iocount.h"

#ifndef NETFS_IOCOUNT_HAVE_NETFS_IO_COUNT

/**
 * netfs_iocount_request_begin - count a netfs request against its inode
 * @rreq: the request being initialised
 * @ic: the counter embedded in @rreq->inode's filesystem-private part
 *
 * Call it as the last step of netfs_request_ops.init_request, once nothing
 * can fail any more: netfs frees a request whose init_request failed
 * without calling free_request, so a begin before a failure would leak.
 * With tracking on, the request is recorded under @rreq and named by the
 * function that called this one, with its stack, until
 * netfs_iocount_request_end() for the same @rreq, whatever order requests
 * complete in.  For example, 9p's v9fs_init_request() would end with::
 *
 *	rreq->netfs_priv = fid;
 *	netfs_iocount_request_begin(rreq, &V9FS_I(rreq->inode)->iocount);
 *	return 0;
 *
 * Context: any.
 */
void netfs_iocount_request_begin(struct netfs_io_request *rreq,
				 struct netfs_iocount *ic)
{
	__netfs_iocount_begin(ic, rreq, _RET_IP_);
}
EXPORT_SYMBOL_GPL(netfs_iocount_request_begin);

/**
 * netfs_iocount_request_end - uncount a netfs request being freed
 * @rreq: the request being freed
 * @ic: the counter passed to netfs_iocount_request_begin()
 *
 * Call it from netfs_request_ops.free_request, after everything else the
 * free path does with the inode or the per-mount client: once the count
 * drains, eviction goes on and umount may tear the client down.  Neither
 * @rreq->inode nor anything reached through it may be touched afterwards.
 * For example, 9p's v9fs_free_request() would become::
 *
 *	struct v9fs_inode *v9inode = V9FS_I(rreq->inode);
 *
 *	p9_fid_put(rreq->netfs_priv);
 *	netfs_iocount_request_end(rreq, &v9inode->iocount);
 *
 * The end may let umount finish and the filesystem's module be unloaded
 * while its free_request has yet to return from this call: a filesystem
 * that calls it from its own module must, in its module exit, wait for
 * every task to have left its text, with synchronize_rcu_tasks() (as
 * tests/iocountfs.c does), before its code is freed.
 *
 * Context: any; netfs may call free_request from a workqueue.
 */
void netfs_iocount_request_end(struct netfs_io_request *rreq,
			       struct netfs_iocount *ic)
{
	__netfs_iocount_end(ic, rreq, _RET_IP_);
}
EXPORT_SYMBOL_GPL(netfs_iocount_request_end);

#endif

/**
 * netfs_iocount_evict_inode - wait for outstanding I/O, then clear the inode
 * @inode: the inode being evicted
 * @ic: the counter embedded in @inode's filesystem-private part, or
 *	from 6.10, netfs's own: netfs_inode_iocount(netfs_inode(@inode))
 *
 * Call it from ->evict_inode in place of clear_inode(), in every branch,
 * after the page cache has been truncated and any cache cookie
 * released: no new request can start on @inode by then, so the wait ends
 * when the last asynchronous completion has run.  For example, 9p's
 * v9fs_evict_inode() would end with::
 *
 *	truncate_inode_pages_final(&inode->i_data);
 *	...
 *	netfs_iocount_evict_inode(inode, &v9inode->iocount);
 *
 * and from 6.10, where netfs_wait_for_outstanding_io() stood::
 *
 *	netfs_iocount_evict_inode(inode,
 *				  netfs_inode_iocount(&v9inode->netfs));
 *
 * A wait asleep longer than hung_warn_secs is reported with the
 * superblock's s_id and the inode number, and goes on in the same sleep.
 *
 * Context: process context, from ->evict_inode; may sleep.
 */
void netfs_iocount_evict_inode(struct inode *inode, struct netfs_iocount *ic)
{
	netfs_iocount_wait_inode(ic, inode);
	clear_inode(inode);
}
EXPORT_SYMBOL_GPL(netfs_iocount_evict_inode);

MODULE_DESCRIPTION("netfs_iocount glue for 9p/afs/cifs-style filesystems");
MODULE_LICENSE("GPL");
