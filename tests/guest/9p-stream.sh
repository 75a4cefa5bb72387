# SPDX-License-Identifier: GPL-2.0
# Guest scenario: records streamed through QEMU's 9p server with cache=none,
# in both directions.  The host side (scripts/check) starts producing into
# h2g.dat when /mnt/guest-ready appears, and consumes g2h.dat as the guest
# writes it.  A reader of a growing file must see every record whole and
# must not get stuck at an old size: the producer/consumer use of 9p.
# Environment (kernel command line): P9_RECORDS, default 2000.
# timeout: 900

records=${P9_RECORDS:-2000}
modprobe 9p
modprobe 9pnet_virtio
mkdir -p /mnt
mount -t 9p -o trans=virtio,version=9p2000.L,cache=none p9share /mnt
touch /mnt/guest-ready
echo "consuming $records records written by the host"
p9io consume /mnt/h2g.dat "$records" 600
echo "producing $records records for the host"
p9io produce /mnt/g2h.dat "$records" 1000
umount /mnt
