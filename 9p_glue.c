// SPDX-License-Identifier: GPL-2.0
/*
 * Glue between netfs_iocount and 9p/afs/cifs-style filesystems: the
 * ->evict_inode hook.
 *
 * A filesystem embeds a struct netfs_iocount in its inode, begins it in
 * its netfs_request_ops.init_request, ends it as the last thing its
 * free_request does, and calls netfs_iocount_evict_inode() from
 * ->evict_inode in place of clear_inode().
 */

#include <linux/fs.h>
#include <linux/module.h>

#include "netfs_iocount.h"

/**
 * netfs_iocount_evict_inode - wait for outstanding I/O, then clear the inode
 * @inode: the inode being evicted
 * @ic: the counter embedded in @inode's filesystem-private part
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
 * A wait that hangs is reported every hung_warn_secs with the superblock's
 * s_id and the inode number.
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
