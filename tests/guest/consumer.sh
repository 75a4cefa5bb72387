# SPDX-License-Identifier: GPL-2.0
# Guest scenario (stock kernel): the API used from another module.  The
# consumer's load runs kthreads doing begin/end against a waiter and fails
# unless the count drains and no wake-up is lost; while it is loaded the
# library must refuse to unload; afterwards everything unloads cleanly.
# timeout: 300

insmod /modules/netfs_iocount.ko
insmod /modules/netfs_iocount_glue.ko

for bad in threads=0 threads=65 requests=0 threads=x; do
	if insmod /modules/netfs_iocount_consumer.ko $bad; then
		echo "consumer accepted $bad"
		exit 1
	fi
done

insmod /modules/netfs_iocount_consumer.ko threads=4 requests=100000

if rmmod netfs_iocount; then
	echo "netfs_iocount unloaded while its consumer was loaded"
	exit 1
fi
grep -q '^netfs_iocount ' /proc/modules

rmmod netfs_iocount_consumer
rmmod netfs_iocount_glue
rmmod netfs_iocount
if grep -q netfs_iocount /proc/modules; then
	echo "a module is still loaded:"
	grep netfs_iocount /proc/modules
	exit 1
fi
echo "consumer: loaded, pinned the library, unloaded cleanly"
