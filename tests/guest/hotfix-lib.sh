# SPDX-License-Identifier: GPL-2.0
# Shared by the scenarios of netfs_iocount_hotfix (sourced, not run, after
# stall-lib.sh): its livepatch and debugfs files, its load and unload.  The
# scenario defines fail().

HOTFIX_L=/sys/kernel/livepatch/netfs_iocount_hotfix
HOTFIX_D=/sys/kernel/debug/netfs_iocount_hotfix

# hotfix_stat NAME: a line of the hotfix's debugfs file.
hotfix_stat() {
	awk -v n="$1" '$1 == n { print $2 }' $HOTFIX_D
}

hotfix_transition_over() { [ "$(cat $HOTFIX_L/transition)" = 0 ]; }
hotfix_gone() { [ ! -e $HOTFIX_L ]; }

# hotfix_load [PARAMETER...]: load it and wait for its transition to end:
# until then a task may still run the unpatched function.
hotfix_load() {
	insmod /modules/netfs_iocount_hotfix.ko "$@"
	[ "$(cat $HOTFIX_L/enabled)" = 1 ] || fail "the patch is not enabled"
	until_true 60 "the patching transition never ended" hotfix_transition_over
}

# hotfix_unload: disable it, wait until the patch is gone, unload it.
hotfix_unload() {
	echo 0 >$HOTFIX_L/enabled
	until_true 60 "the patch never left" hotfix_gone
	rmmod netfs_iocount_hotfix
}

# in_log PATTERN: the kernel log has a line matching PATTERN.
in_log() { dmesg | grep -q "$1"; }
