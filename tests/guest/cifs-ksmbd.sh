# SPDX-License-Identifier: GPL-2.0
# Guest scenario (the 7.3 debug kernel with the mainline series): cifs
# against the kernel's own SMB server, ksmbd (with Debian's ksmbd-tools),
# over loopback, for each syscall whose wait for outstanding I/O the
# series' cifs patch makes killable: unlink, rename over a file, open with
# O_TRUNC, fallocate in each mode, FICLONE and copy_file_range.
#
# CIFS_MODE=ops: each operation on a file the client has read gives on the
# server the same size and content as on tmpfs (where tmpfs lacks the
# operation, what it defines done with reads and writes), and the same
# blocks after a punched hole; the client reads what the server has.
#
# CIFS_MODE=held: p9hold postpones the free of a read's request on the
# file the operation waits for (fstype=cifs), so its count of outstanding
# I/O stays up: the operation must block, SIGKILL must end it while the
# free is still postponed, and afterwards the server's files must be as
# they were (size, blocks, content) with no .smb leftovers.
# timeout: 600

. /guest/stall-lib.sh	# until_true

H=/sys/module/p9hold/parameters
SHARE=/srv/share
REF=/tmp/ref
SIZE=262144
# The longest p9hold postpones a free: far beyond a held operation's
# blocking and dying (tests/cifsop.c), so only SIGKILL can end it early.
HOLD_MS=10000

fail() {
	echo "cifs-ksmbd: $*"
	if [ -d $H ]; then
		echo 0 >$H/delay_ms
		echo 1 >$H/release
	fi
	exit 1
}

# ksmbd_listening: a socket listens on SMB's port 445 (01BD).
ksmbd_listening() { grep -qE '^ *[0-9]+: [0-9A-F]+:01BD [0-9A-F]+:0000 0A ' /proc/net/tcp /proc/net/tcp6 2>/dev/null; }

postponed() { cat $H/postponed; }
some_postponed() { [ "$(postponed)" -ge 1 ]; }
none_postponed() { [ "$(postponed)" = 0 ]; }

# ksmbd_start: ksmbd serving $SHARE (a tmpfs) to user "test", and cifs
# mounted from it on /mnt.
ksmbd_start() {
	local tool
	for tool in ksmbd.mountd ksmbd.adduser ksmbd.control; do
		ln -sf ksmbd.tools /bin/$tool	# one program, run by its name
	done
	# The kernel loads crypto modules on demand (cifs's and ksmbd's
	# ciphers) through modprobe, which is busybox's here.
	echo /bin/modprobe >/proc/sys/kernel/modprobe
	ip link set lo up
	mkdir -p $SHARE /etc/ksmbd /run /mnt $REF
	# ksmbd.mountd maps its users, and its guest account, to local ones.
	printf '%s\n' root:x:0:0:root:/:/bin/sh test:x:0:0:test:/:/bin/sh \
		nobody:x:65534:65534:nobody:/:/bin/false >/etc/passwd
	printf '%s\n' root:x:0: nogroup:x:65534: >/etc/group
	mount -t tmpfs tmpfs $SHARE
	cat >/etc/ksmbd/ksmbd.conf <<-EOF
	[global]
		bind interfaces only = yes
		interfaces = lo
	[share]
		path = $SHARE
		read only = no
	EOF
	ksmbd.adduser -a test -p test >/dev/null || fail "ksmbd.adduser failed"
	modprobe ksmbd
	ksmbd.mountd || fail "ksmbd.mountd did not start"
	until_true 20 "ksmbd did not listen on port 445 within 20 s" ksmbd_listening
	modprobe cifs
	mount -t cifs //127.0.0.1/share /mnt \
		-o username=test,password=test,vers=3.1.1,noserverino ||
		fail "cannot mount //127.0.0.1/share from ksmbd"
	echo "cifs-ksmbd: //127.0.0.1/share from ksmbd mounted on /mnt, SMB 3.1.1"
}

# fresh N: the files a and b in a directory N of their own, written
# through the client (so the server keeps their DOS attributes, as it
# must to make them sparse) and then dropped from its page cache, and the
# same in $REF/N.
fresh() {
	mkdir /mnt/$1 $REF/$1
	cifsop fill /mnt/$1/a $SIZE 1 || fail "cannot write /mnt/$1/a"
	cifsop fill /mnt/$1/b $SIZE 2 || fail "cannot write /mnt/$1/b"
	sync
	echo 1 >/proc/sys/vm/drop_caches
	cp $SHARE/$1/a $SHARE/$1/b $REF/$1/
}

# sums [-b] NAME...: size, content (and with -b, blocks) of NAME in $1's
# place, one line each, without the directory.
sums() {
	local dir=$1 blocks=$2
	shift 2
	(cd "$dir" && cifsop sum "$@") |
		if [ "$blocks" = y ]; then cat; else sed 's/ blocks [0-9]*//'; fi
}

# no_smb_leftovers: no silly-renamed .smbXXXX file on the server.
no_smb_leftovers() {
	if ls -a $SHARE | grep -q '^\.smb'; then
		fail "a .smb file was left on the server: $(ls -a $SHARE | grep '^\.smb')"
	fi
}

# The operations, as "FILES | OP ARGS": FILES are those the operation
# changes (the first, the one whose count it waits for); ARGS name them
# with @ for their directory.
OPS='
a | unlink @a
a b | rename @b @a
a | trunc-open @a
a | fallocate @a alloc 200000 200000
a | fallocate @a keep-size 200000 200000
a | fallocate @a punch 65536 65536
a | fallocate @a zero 61440 8192
a | fallocate @a zero-keep 250000 65536
a | fallocate @a collapse 65536 65536
a | fallocate @a insert 65536 65536
a b | clone @b @a
a b | copy @b @a 4096 100000
'

# op_args DIR ARGS: ARGS with @ replaced by DIR/.
op_args() { echo "$2" | sed "s|@|$1/|g"; }

# ops_check N FILES OP: OP on the client and on tmpfs, then the server's
# files and tmpfs's the same, and the client reading what the server has.
ops_check() {
	local n=$1 files=$2 op=$3 blocks=n
	fresh "$n"
	cat /mnt/$n/a /mnt/$n/b >/dev/null	# the client has read them
	# shellcheck disable=SC2046 # the words of the operation
	cifsop op $(op_args /mnt/$n "$op") || fail "$op on cifs failed"
	# shellcheck disable=SC2046
	cifsop op $(op_args $REF/$n "$op") >/dev/null || fail "$op on tmpfs failed"
	case $op in *punch*) blocks=y ;; esac
	# shellcheck disable=SC2086 # FILES are words
	[ "$(sums $SHARE/$n $blocks $files)" = "$(sums $REF/$n $blocks $files)" ] ||
		fail "$op: the server has $(sums $SHARE/$n $blocks $files | tr '\n' ';') tmpfs $(sums $REF/$n $blocks $files | tr '\n' ';')"
	# shellcheck disable=SC2086
	[ "$(sums /mnt/$n n $files)" = "$(sums $SHARE/$n n $files)" ] ||
		fail "$op: the client reads $(sums /mnt/$n n $files | tr '\n' ';') the server has $(sums $SHARE/$n n $files | tr '\n' ';')"
	no_smb_leftovers
	# shellcheck disable=SC2086
	echo "cifs-ksmbd: $op: the server's files as tmpfs's: $(sums $SHARE/$n $blocks $files | tr '\n' ';')"
}

# held_check N FILES OP: OP blocks while a read's free on the first of
# FILES is postponed, SIGKILL ends it, and the server's files are unchanged.
held_check() {
	local n=$1 files=$2 op=$3 before after
	fresh "$n"
	before=$(sums $SHARE/$n y a b)
	echo $HOLD_MS >$H/delay_ms
	cat /mnt/$n/${files%% *} >/dev/null
	until_true 5 "$op: no free of a read's request was postponed" some_postponed
	echo 0 >$H/delay_ms
	# shellcheck disable=SC2046
	cifsop held $(op_args /mnt/$n "$op") || fail "$op"
	some_postponed || fail "$op: the free was no longer postponed when SIGKILL ended it"
	echo 1 >$H/release
	until_true 5 "$op: the postponed free did not run after its release" none_postponed
	after=$(sums $SHARE/$n y a b)
	[ "$after" = "$before" ] ||
		fail "$op: killed, yet the server's files changed: before $before, after $after"
	no_smb_leftovers
}

# each_op CHECK: CHECK N FILES OP for every operation, N counting from 1.
each_op() {
	local n=0 files op
	echo "$OPS" | while IFS='|' read -r files op; do
		[ -n "$op" ] || continue
		n=$((n + 1))
		# shellcheck disable=SC2086 # trimmed of spaces
		"$1" $n "$(echo $files)" "$(echo $op)"
	done
}

# hold_refusals: how many times p9hold has refused hold=1 for cifs.
hold_refusals() {
	dmesg | grep -c 'p9hold: hold=1 is invalid with fstype=cifs' || true
}

ksmbd_start
case ${CIFS_MODE:-} in
ops)
	each_op ops_check
	;;
held)
	modprobe 9pnet		# p9hold's own symbols
	if insmod /modules/p9hold.ko fstype= 2>/dev/null; then
		fail "p9hold accepted an empty fstype="
	fi
	dmesg | grep -q 'p9hold: fstype= is invalid' ||
		fail "p9hold refused fstype=, but not for its value"
	for order in "hold=1 fstype=cifs" "fstype=cifs hold=1"; do
		refused=$(hold_refusals)
		# shellcheck disable=SC2086 # the parameters, one word each
		if insmod /modules/p9hold.ko $order 2>/dev/null; then
			fail "p9hold accepted $order: hold=1 holds 9p's frees only"
		fi
		[ "$(hold_refusals)" -gt "$refused" ] ||
			fail "p9hold refused $order, but not for hold=1"
	done
	insmod /modules/p9hold.ko fstype=cifs
	if echo 1 >/sys/module/p9hold/parameters/hold 2>/dev/null; then
		fail "p9hold took hold=1 at run time with fstype=cifs"
	fi
	[ "$(cat /sys/module/p9hold/parameters/hold)" = N ] ||
		fail "a refused hold=1 changed hold"
	each_op held_check
	;;
*)
	fail "CIFS_MODE=${CIFS_MODE:-} is neither ops nor held"
	;;
esac
umount /mnt
echo "cifs-ksmbd: $CIFS_MODE: every operation checked"
