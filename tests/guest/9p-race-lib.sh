# SPDX-License-Identifier: GPL-2.0
# Shared by the 9p race scenarios (sourced, not run): the umount race on
# real 9p, its window widened on purpose.  p9hold postpones netfs's
# asynchronous frees of 9p requests by P9_DELAY_MS, so an umount right
# after the readers always finds requests still to be freed, whose free
# then puts a fid of the client that umount tears down.
# Environment (kernel command line): P9_CACHES (cache modes, comma
# separated, e.g. loose,mmap), P9_CYCLES (per mode, default 10),
# P9_DELAY_MS (default 100).  cache=fscache needs a cache: an ext4 file
# system on /dev/vda, which Debian's cachefilesd (/bin) binds with the
# package's own configuration (/data/cachefilesd.conf).

H=/sys/module/p9hold/parameters
caches=$(echo "${P9_CACHES:?P9_CACHES is not set}" | tr , ' ')
cycles=${P9_CYCLES:-10}
delay=${P9_DELAY_MS:-100}

# p9race_load: 9p and p9hold, postponing.
p9race_load() {
	modprobe 9p
	modprobe 9pnet_virtio
	# The share's PCI device (a module on the stock kernels).
	modprobe virtio_pci 2>/dev/null || true
	insmod /modules/p9hold.ko
	echo "$delay" >$H/delay_ms
	mkdir -p /mnt
	case " $caches " in *" fscache "*) p9race_fscache_start ;; esac
}

# p9race_fscache_start: the cache up, bound and active before any mount.
p9race_fscache_start() {
	local dir tag m i
	dir=$(awk '$1 == "dir" { print $2 }' /data/cachefilesd.conf)
	tag=$(awk '$1 == "tag" { print $2 }' /data/cachefilesd.conf)
	# Modules or built in, by kernel (cachefiles is a module on all).
	for m in virtio_pci virtio_blk crc32c_generic ext4 cachefiles; do
		modprobe "$m" || true
	done
	i=0
	until [ -b /dev/vda ]; do
		i=$((i + 1))
		[ $i -le 100 ] || { echo "9p-race: no cache disk (/dev/vda):" /sys/block/*; exit 1; }
		usleep 100000
	done
	i=0
	mkdir -p "$dir" /etc
	mount -t ext4 /dev/vda "$dir"
	cp /data/cachefilesd.conf /etc/cachefilesd.conf
	cachefilesd -n -s -f /etc/cachefilesd.conf &
	until grep -qE " A +$tag\$" /proc/fs/fscache/caches 2>/dev/null; do
		i=$((i + 1))
		[ $i -le 100 ] || { echo "9p-race: cachefilesd never bound the cache"; cat /proc/fs/fscache/caches; exit 1; }
		usleep 100000
	done
	echo "9p-race: cachefilesd bound cache '$tag' on ext4 at $dir"
}

# p9race_cycle CACHE: mount, four readers of the host's r0..r3.dat, umount
# at once: the readers' requests are still waiting for their postponed
# free.
p9race_cycle() {
	local f pids=
	mount -t 9p -o "trans=virtio,version=9p2000.L,cache=$1" p9share /mnt
	# The race under test is umount's, not the lookups': looked up in
	# parallel on a fresh mount, one reader once got ENOENT on 7.3 for a
	# file the host had written before the boot.
	ls /mnt/r0.dat /mnt/r1.dat /mnt/r2.dat /mnt/r3.dat >/dev/null ||
		{ echo "9p-race: the share's files cannot be looked up:"; ls -la /mnt; exit 1; }
	for f in 0 1 2 3; do
		cat "/mnt/r$f.dat" >/dev/null &
		pids="$pids $!"
	done
	for f in $pids; do
		wait "$f"
	done
	umount /mnt &
	echo "9p-race: umount pid $!"
	wait $!
}

# p9race_counts: what p9hold saw, for the log.
p9race_counts() {
	echo "9p-race: cache=$caches, $cycles cycles each, frees postponed ${delay} ms:" \
		"$(cat $H/delayed) postponed, $(cat $H/evict_waits) evictions waited" \
		"(longest $(cat $H/evict_wait_us_max) us), $(cat $H/evict_early) returned before their inode's free"
}
