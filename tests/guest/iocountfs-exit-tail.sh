# SPDX-License-Identifier: GPL-2.0
# Guest scenario (6.1 as its release has it, the plain debug kernel): a
# filesystem module that counts its requests with the library's glue ends
# the count inside its own ->free_request(), and returns through its own
# text after that: once the count has reached 0, umount finishes, the
# module's last reference goes, and rmmod may free the text under the
# returning worker.  Module exit must wait for such tails (iocountfs's
# iocfs_exit() does, with synchronize_rcu_tasks(), as the glue's
# documentation tells filesystems to).  iocountfs's tail_ms arms the next
# free_request to spin for EXIT_TAIL_MS after its end of the count; the
# scenario waits for the tail to begin, then unmounts and unloads at once.
# rmmod must return only after the tail's "done" line, and a tail that
# ended before rmmod began tested nothing and fails the run.  Bad values of
# tail_ms are refused and change nothing.
# timeout: 300

. /guest/iocountfs-lib.sh
. /guest/stall-lib.sh

Q=/sys/module/iocountfs/parameters
TAIL_MS=${EXIT_TAIL_MS:-5000}

fail() {
	echo "exit-tail: $*"
	exit 1
}

# mark WHAT: a line in the kernel's log, ordered with the module's own.
mark() { echo "exit-tail: $*" >/dev/kmsg; }

# log_line TEXT: the number of the kernel log's first line with TEXT, or
# nothing.
log_line() { dmesg | grep -n -m 1 -F "$1" | cut -d: -f1; }

tail_begun() { [ -n "$(log_line 'iocountfs: tail: ')" ]; }

iocfs_load
for bad in 5001 -1 abc; do
	if echo "$bad" >$Q/tail_ms 2>/dev/null; then
		fail "tail_ms accepted '$bad'"
	fi
	[ "$(cat $Q/tail_ms)" = 0 ] || fail "tail_ms changed on '$bad'"
done

mount -t iocountfs -o files=1,size=4096 iocountfs /mnt || fail "mount failed"
echo "$TAIL_MS" >$Q/tail_ms
cat /mnt/f0 >/dev/null || fail "reading f0 failed"
until_true 10 "the armed tail did not begin within 10 s of the read" tail_begun
umount /mnt || fail "umount failed"
mark "rmmod begins"
rmmod iocountfs || fail "rmmod iocountfs failed"
mark "rmmod returned"

begun=$(log_line 'iocountfs: tail: ')
before=$(log_line 'exit-tail: rmmod begins')
done_at=$(log_line 'iocountfs: tail done')
returned=$(log_line 'exit-tail: rmmod returned')
# Checked at once: a tail left running in freed text may fault any moment.
[ -n "$done_at" ] && [ "$done_at" -lt "$returned" ] ||
	fail "rmmod returned before the tail ended: module exit did not wait for free_request's return"
[ "$done_at" -gt "$before" ] ||
	fail "the tail ended before rmmod began: nothing was tested (raise EXIT_TAIL_MS)"
[ "$begun" -lt "$before" ] || fail "the tail began after rmmod did"
rmmod netfs_iocount_glue || fail "rmmod netfs_iocount_glue failed"
rmmod netfs_iocount || fail "rmmod netfs_iocount failed"
echo "exit-tail: rmmod returned after the tail of free_request ($TAIL_MS ms) ended"
