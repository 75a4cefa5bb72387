# SPDX-License-Identifier: GPL-2.0
# Guest scenario: on a kernel whose netfs counts an inode's requests
# itself (6.10+, or 6.1 with the stable backport), netfs_iocount_hotfix
# refuses to load with one line saying why, and changes nothing: no
# livepatch appears and the kernel is not tainted as livepatched.
# timeout: 120

fail() {
	echo "hotfix-refused: $*"
	exit 1
}

# TAINT_LIVEPATCH is bit 15 of the taint mask.
livepatched() {
	[ $(($(cat /proc/sys/kernel/tainted) >> 15 & 1)) -eq 1 ]
}

livepatched && fail "the kernel was livepatched before the test"
if insmod /modules/netfs_iocount_hotfix.ko 2>/dev/null; then
	fail "the hotfix loaded"
fi
# The module's own lines: not the loader's taint notices, and once each
# (busybox's insmod tries two system calls).
line=$(dmesg | grep 'netfs_iocount_hotfix: ' | grep -v 'taint' |
	sed 's/^\[[^]]*\] //' | sort -u)
[ -n "$line" ] || fail "the refusal said nothing"
echo "hotfix-refused: $line"
[ "$(echo "$line" | wc -l)" -eq 1 ] || fail "the refusal took more than one line"
echo "$line" | grep -q 'io_count.*nothing to fix' ||
	fail "the refusal does not name what it found"
[ ! -e /sys/kernel/livepatch/netfs_iocount_hotfix ] || fail "a livepatch was left behind"
if livepatched; then fail "the refused load tainted the kernel as livepatched"; fi
if grep -q '^netfs_iocount_hotfix ' /proc/modules; then fail "the module stayed loaded"; fi
echo "hotfix-refused: refused with one line, nothing changed"
