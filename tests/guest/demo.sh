# SPDX-License-Identifier: GPL-2.0
# Guest scenario of `make run` (stock kernel): load the library, let the
# consumer module issue requests from several kthreads against a waiter,
# show what the counter did, unload.
# timeout: 300

insmod /modules/netfs_iocount.ko
insmod /modules/netfs_iocount_consumer.ko threads=4 requests=200000
rmmod netfs_iocount_consumer
rmmod netfs_iocount
