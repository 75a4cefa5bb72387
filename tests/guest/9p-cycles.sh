# SPDX-License-Identifier: GPL-2.0
# Guest scenario: mount / parallel readers and writers / umount cycles on
# QEMU's 9p server.  Each cycle mounts with cache=$P9_CACHE, verifies the
# host's r0.dat and r1.dat in two parallel readers while two writers write
# and read back w-CYCLE-N.dat, verifies the previous cycle's files (written
# before the last umount), and umounts at once.  The host verifies every
# w-*.dat afterwards.
# Environment (kernel command line): P9_CACHE (loose|none), P9_CYCLES (100),
# P9_READ_SIZE and P9_WRITE_SIZE (bytes).
# timeout: 1500

cache=${P9_CACHE:?P9_CACHE is not set}
cycles=${P9_CYCLES:-100}
rsize=${P9_READ_SIZE:-262144}
wsize=${P9_WRITE_SIZE:-65536}

# write_and_check FILE SEED: one writer.
write_and_check() {
	p9io write "$1" "$wsize" "$2" && p9io verify "$1" "$wsize" "$2"
}

modprobe 9p
modprobe 9pnet_virtio
mkdir -p /mnt
i=0
while [ $i -lt "$cycles" ]; do
	mount -t 9p -o "trans=virtio,version=9p2000.L,cache=$cache" p9share /mnt
	pids=
	for r in 0 1; do
		p9io verify "/mnt/r$r.dat" "$rsize" $((r + 1)) &
		pids="$pids $!"
	done
	for w in 0 1; do
		write_and_check "/mnt/w-$i-$w.dat" $((i * 2 + w + 100)) &
		pids="$pids $!"
	done
	if [ $i -gt 0 ]; then
		for w in 0 1; do
			p9io verify "/mnt/w-$((i - 1))-$w.dat" "$wsize" \
				$(((i - 1) * 2 + w + 100))
		done
	fi
	for pid in $pids; do
		wait "$pid" || { echo "cycle $i: a reader or writer failed"; exit 1; }
	done
	umount /mnt
	i=$((i + 1))
done
echo "$cycles cycles with cache=$cache, every byte verified"
