# SPDX-License-Identifier: GPL-2.0
# Shared by the scenarios that stall a netfs request and wait for the
# watchdog to name it (sourced, not run).  The scenario defines fail(),
# which must release what it holds, so that a failed run still ends.

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
