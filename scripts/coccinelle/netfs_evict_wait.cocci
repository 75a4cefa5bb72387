// SPDX-License-Identifier: GPL-2.0
/// Make a netfs filesystem's ->evict_inode() wait for the inode's outstanding
/// netfs I/O requests before it drops the page cache, in every branch that
/// does, where mainline's f89ea63f1c65 puts the wait: before
/// truncate_inode_pages_final().  A request may be freed from a workqueue
/// after the syscall that started it has returned, and its ->free_request()
/// may still use the inode and the superblock.
///
/// Two modes:
///   spatch -D find ...          prints "evict_inode <function>" for every
///                               super_operations with an ->evict_inode;
///   spatch -D evict=<function>  inserts netfs_wait_for_outstanding_io()
///                               before each truncate_inode_pages_final()
///                               of the inode's own pages in <function>.
///
// Confidence: High
// Options: --no-includes --include-headers

virtual find

@ops depends on find@
identifier sops, fn;
@@
struct super_operations sops = { ..., .evict_inode = fn, ... };

@script:python depends on ops@
fn << ops.fn;
@@
print("evict_inode %s" % fn)

@wait depends on !find@
identifier virtual.evict;
identifier inode;
@@
evict(struct inode *inode)
{
<...
+	netfs_wait_for_outstanding_io(inode);
	truncate_inode_pages_final(&inode->i_data);
...>
}
