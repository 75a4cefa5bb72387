# SPDX-License-Identifier: GPL-2.0
# Shared by the iocountfs scenarios (sourced, not run): loading the modules
# and one mount / read / umount cycle.

INFLIGHT=/sys/module/iocountfs/parameters/inflight

# stalled_at_least_one: iocountfs holds a fid release (stall_ino=).
stalled_at_least_one() {
	[ "$(cat /sys/module/iocountfs/parameters/stalled)" -ge 1 ]
}

iocfs_load() {
	# netfs is a module on the stock kernels and the 6.12 debug one.
	modprobe netfs
	insmod /modules/netfs_iocount.ko
	insmod /modules/netfs_iocount_glue.ko
	insmod /modules/iocountfs.ko
	mkdir -p /mnt
}

iocfs_unload() {
	rmmod iocountfs
	rmmod netfs_iocount_glue
	rmmod netfs_iocount
}

# iocfs_umount: umount /mnt, retrying while killed readers are still
# exiting.  Each try names its pid: a use-after-free's freeing task is
# then known to be an umount even where KASAN kept no stack of the free.
iocfs_umount() {
	local tries=0 pid
	until umount /mnt 2>/dev/null & pid=$!; echo "iocountfs: umount pid $pid"; wait $pid; do
		tries=$((tries + 1))
		# Killed readers exit within 2 s on an idle machine; a loaded
		# one is given 30 s before the umount counts as stuck.
		[ $tries -lt 3000 ] || { echo "umount /mnt: still busy after 30 s"; return 1; }
		usleep 10000
	done
}

# iocfs_cycle OPTIONS READERS MODE: mount with OPTIONS, start READERS
# verifying readers and, with MODE kill, SIGKILL them mid-read after a
# random 10-200 ms (MODE verify lets them finish and requires success;
# verify-eio also accepts EIO), then umount at once, with requests still
# completing.
iocfs_cycle() {
	local eio_ok= pid
	mount -t iocountfs -o "$1" iocountfs /mnt
	[ "$3" = verify-eio ] && eio_ok=eio-ok
	iocfs-reader /mnt "$2" $eio_ok >/tmp/reader.out 2>&1 &
	pid=$!
	if [ "$3" = kill ]; then
		usleep $(((RANDOM % 20 + 1) * 10000))
		kill -9 $pid 2>/dev/null || true
		wait $pid 2>/dev/null || true
	elif ! wait $pid; then
		cat /tmp/reader.out
		echo "readers failed"
		return 1
	fi
	iocfs_umount
}

# iocfs_drained: wait (at most 10 s) until every request has been freed.
iocfs_drained() {
	local tries=0
	until [ "$(cat "$INFLIGHT")" -eq 0 ]; do
		tries=$((tries + 1))
		[ $tries -lt 1000 ] || { echo "requests still in flight after 10 s"; return 1; }
		usleep 10000
	done
}

# iocfs_waited_cycles: how many umounts so far had an eviction that waited
# for I/O, from iocountfs's umount reports on the console.
iocfs_waited_cycles() {
	dmesg | grep -cE 'iocountfs: umount: [0-9]+ inodes evicted, [1-9][0-9]* waited for I/O'
}

# iocfs_cycles N OPTIONS READERS: N cycles, every other one killing the
# readers mid-read; after each umount no request may be left, since
# eviction waits for every one.
iocfs_cycles() {
	local i=0 mode left waited
	while [ $i -lt "$1" ]; do
		mode=verify
		[ $((i % 2)) -eq 1 ] && mode=kill
		iocfs_cycle "$2" "$3" $mode
		left=$(cat "$INFLIGHT")
		[ "$left" -eq 0 ] || { echo "cycle $i: $left request(s) outlived umount"; return 1; }
		i=$((i + 1))
	done
	# The race window must have been open: evictions found I/O to wait for.
	waited=$(iocfs_waited_cycles)
	echo "iocountfs: in $waited of $1 umounts an eviction waited for I/O"
	[ "$waited" -ge $(($1 / 2)) ] ||
		{ echo "too few umounts waited: the race window was hardly exercised"; return 1; }
}
