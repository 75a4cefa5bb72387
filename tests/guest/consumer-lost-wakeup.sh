# SPDX-License-Identifier: GPL-2.0
# Guest scenario (stock kernel), a negative control: the library is built
# with tests/faults/NO_WAKE.patch, so the end that drains the count wakes
# nobody.  The consumer's load must fail, and for that reason: it counted
# waits that ran to their timeout.
# timeout: 300

insmod /modules/netfs_iocount.ko
if insmod /modules/netfs_iocount_consumer.ko threads=2 requests=20000; then
	echo "the consumer passed although no end ever woke its waiter"
	exit 1
fi
line=$(dmesg | grep 'netfs_iocount_consumer: .* lost wake-ups' | tail -n 1)
echo "$line"
echo "$line" | grep -qE ' [1-9][0-9]* lost wake-ups$' ||
	{ echo "the load failed, but no lost wake-up was counted"; exit 1; }
echo "consumer: the lost wake-up was caught"
