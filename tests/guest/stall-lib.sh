# SPDX-License-Identifier: GPL-2.0
# Shared by the scenarios that stall a netfs request and wait for the
# watchdog to name it (sourced, not run).  The scenario defines fail(),
# which must release what it holds, so that a failed run still ends.

. /guest/kmemleak-lib.sh

# until_true SECONDS WHAT COMMAND...: poll COMMAND every 100 ms, or fail.
until_true() {
	local tries=$(($1 * 10)) what=$2
	shift 2
	until "$@"; do
		tries=$((tries - 1))
		[ $tries -gt 0 ] || fail "$what"
		usleep 100000
	done
}

# named_in_log: the watchdog has reported a stalled netfs request.
named_in_log() { dmesg | grep -q 'stalled netfs request R='; }

# task_done PID: the task has exited.
task_done() { ! kill -0 "$1" 2>/dev/null; }

# watchdog_report: the watchdog's first reports, with their stacks.
watchdog_report() { dmesg | grep -A 30 -m 1 'stalled netfs request R='; }

# report_names REPORT INODE S_ID FSTYPE: the watchdog's REPORT names a
# readahead request on inode INODE of superblock S_ID (FSTYPE), in its free
# path, the umount waiting for it and a stack through netfs_readahead; the
# arguments are extended regular expressions.  Else fail().
report_names() {
	echo "$1" | grep -qE "stalled netfs request R=[0-9a-f]{8} NETFS_READAHEAD on inode $2 of $3 \\($4, sb " ||
		fail "the report does not name a NETFS_READAHEAD request on inode $2 of $4"
	echo "$1" | grep -qE 'freeing for [0-9]+s' ||
		fail "the report does not say the request is in its free path"
	echo "$1" | grep -qE 'waited on for [0-9]+s by umount:' ||
		fail "the report does not name the umount waiting for it"
	echo "$1" | grep -qE '    netfs_readahead\+0x' ||
		fail "the report's stack does not go through netfs_readahead"
}

# records_left: how many netfs requests track_netfs has a record of, from
# the first line of debugfs requests.
records_left() {
	sed -n '1s/ outstanding netfs request.*//p' /sys/kernel/debug/netfs_iocount/requests
}

no_record_left() { [ "$(records_left)" = 0 ]; }

# track_netfs's probes: a kretprobe on netfs_alloc_request (debugfs
# kprobes/list: "ADDR  r  netfs_alloc_request+0x0 ...") and ftrace
# callbacks on netfs_free_request_rcu, wake_up_var and __var_waitqueue
# (tracefs enabled_functions: "SYMBOL [MODULE] (N) ...").  Nothing else in
# a test guest traces these.
TRACK_KPROBES='  r  netfs_alloc_request\+0x'
TRACK_FTRACE='^(netfs_free_request_rcu|wake_up_var|__var_waitqueue)[ \t]'
TRACK_PROBES=4

# track_probes: track_netfs's probes as registered now, one per line.
track_probes() {
	grep -E "$TRACK_KPROBES" /sys/kernel/debug/kprobes/list || true
	grep -E "$TRACK_FTRACE" /sys/kernel/tracing/enabled_functions || true
}

# track_probes_count: how many of track_netfs's probes are registered.
track_probes_count() { track_probes | grep -c . || true; }

# track_probes_listable: whether both lists exist; else fail().
track_probes_listable() {
	[ -r /sys/kernel/debug/kprobes/list ] ||
		fail "no kprobes/list (kprobes or debugfs missing): nothing to check the probes against"
	[ -r /sys/kernel/tracing/enabled_functions ] ||
		fail "no tracing/enabled_functions (dynamic ftrace or tracefs missing): nothing to check the probes against"
}

# p9_channel: QEMU's 9p share (tag p9share) is offered to the guest.
p9_channel() {
	cat /sys/bus/virtio/drivers/9pnet_virtio/virtio*/mount_tag 2>/dev/null | grep -q p9share
}

# p9_share_up: 9p over virtio loaded (the stock kernels' modules), and
# QEMU's share offered.
p9_share_up() {
	modprobe virtio_pci
	modprobe 9pnet_virtio
	modprobe 9p
	until_true 10 "no 9p channel p9share" p9_channel
}
