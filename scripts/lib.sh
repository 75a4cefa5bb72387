# SPDX-License-Identifier: GPL-2.0
# Shell helpers shared by every script under scripts/.  Source it, do not run it.
#
# Everything long-lived lives under $NETFS_IOCOUNT_CACHE, keyed by a hash of
# what it was built from; everything per-run lives under $BUILD (build/ in the
# project tree, git-ignored).

set -euo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD:-$TOP/build}
CACHE=${NETFS_IOCOUNT_CACHE:-$HOME/.cache/netfs-iocount}
JOBS=${JOBS:-$(nproc)}

msg() { printf '%s: %s\n' "${0##*/}" "$*" >&2; }
die() { msg "error: $*"; exit 1; }

# Every script answers -h and --help with its usage, the comment at its
# top, and does nothing else.  Sourced, this sees the script's arguments.
case ${1:-} in
-h|--help)
	sed -n '3,/^[^#]/s/^# \{0,1\}//p' "$0"
	exit 0
	;;
esac

# need CMD PACKAGE: fail with a one-line hint when a tool is missing.
need() {
	command -v "$1" >/dev/null 2>&1 ||
		die "'$1' is missing; install it with: scripts/deps (Debian package $2)"
}

# The parts of a kernel tree that writing and checking a submission reads
# (scripts/patches, its checks): the code the series changes, the headers,
# scripts/ (checkpatch, get_maintainer, kernel-doc) and, always in a cone,
# the top-level files (Makefile, MAINTAINERS).
SUBMISSION_PATHS="fs include scripts"

# worktree_add REPO DIR COMMIT [sparse]: a fresh worktree of REPO at DIR,
# COMMIT checked out detached; "sparse" checks out SUBMISSION_PATHS only
# (a tenth of a kernel tree).  Only for repositories of the project's own:
# it records the worktree's sparseness in REPO's config.
worktree_add() {
	rm -rf "$2"
	git -C "$1" worktree prune
	if [ "${4:-}" != sparse ]; then
		git -C "$1" worktree add -q -f --detach "$2" "$3"
		return
	fi
	# shellcheck disable=SC2086 # the paths, one word each
	git -C "$1" worktree add -q -f --no-checkout --detach "$2" "$3" &&
		git -C "$2" sparse-checkout set --cone $SUBMISSION_PATHS &&
		git -C "$2" checkout -q
}

# kernel_release KDIR: the release (uname -r) of a kernel build directory.
kernel_release() {
	sed -n 's/^#define UTS_RELEASE "\(.*\)"$/\1/p' \
		"$1/include/generated/utsrelease.h"
}

# dkms_version: the version dkms.conf gives the package.
dkms_version() {
	sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$TOP/dkms.conf"
}

# hash_of FILE|STRING...: a short, stable key for a set of inputs.
hash_of() {
	local arg
	for arg in "$@"; do
		if [ -f "$arg" ]; then
			printf 'file %s\n' "${arg##*/}"
			cat "$arg"
		else
			printf 'str %s\n' "$arg"
		fi
	done | sha256sum | cut -c1-16
}

# The kernels of the test matrix and their pinned versions.
# shellcheck source=scripts/kernels.conf
. "$TOP/scripts/kernels.conf"

# kernel_row KIND SERIES: dies with one line unless SERIES is a KIND
# (debug, stock or uml) kernel of the matrix.
kernel_row() {
	local rows
	case $1 in
	debug) rows=$DEBUG_KERNELS ;;
	stock) rows=$STOCK_KERNELS ;;
	uml) rows=$UML_KERNELS ;;
	*) die "no kind of kernel '$1': debug, stock or uml" ;;
	esac
	case " $rows " in
	*" $2 "*) ;;
	*) die "no $1 kernel '$2'; $1 kernels: $rows" ;;
	esac
}

# selected_kernels KIND: the KIND rows that $KERNELS selects (all of them
# when it is empty), in the matrix's order, on one line; dies naming an
# unknown one.
selected_kernels() {
	local rows want k out=
	case $1 in
	debug) rows=$DEBUG_KERNELS ;;
	stock) rows=$STOCK_KERNELS ;;
	uml) rows=$UML_KERNELS ;;
	esac
	want=${KERNELS:-}
	for k in $want; do
		case " $DEBUG_KERNELS $STOCK_KERNELS $UML_KERNELS " in
		*" $k "*) ;;
		*) die "KERNELS='$want': no kernel '$k' in the matrix; it has: $(matrix_kernels)" ;;
		esac
	done
	for k in $rows; do
		[ -z "$want" ] || case " $want " in *" $k "*) ;; *) continue ;; esac
		out+="${out:+ }$k"
	done
	printf '%s\n' "$out"
}

# series_at_least SERIES VERSION: whether Linux SERIES (6.1, 7.3, ...) is
# VERSION or later; what the tests must find in a kernel is decided from
# this, never from the build under test.
series_at_least() {
	local series=${1%-plain}
	series=${series%-rt}
	[ "$(printf '%s\n' "$2" "$series" | sort -V | head -n 1)" = "$2" ]
}

# series_tracks_netfs SERIES: whether netfs in Linux SERIES counts its
# requests per inode and frees them through RCU (6.10+), so that
# track_netfs can follow them; a 6.1 tree with the backport counts but
# frees without RCU, and is refused.
series_tracks_netfs() { series_at_least "$1" 6.10; }

# matrix_kernels: every series of the matrix, once each.
matrix_kernels() {
	printf '%s\n' $DEBUG_KERNELS $STOCK_KERNELS $UML_KERNELS | sort -uV | paste -sd' '
}

# The 6.1 stock kernel is Debian 12's own: the ABI that the installed
# linux-headers-amd64 metapackage points at, e.g. "6.1.0-56".
stock_6_1_abi() {
	local dir
	dir=$(ls -d /usr/src/linux-headers-6.1.0-*-amd64 2>/dev/null | sort -V | tail -n 1)
	[ -n "$dir" ] || die "no Debian linux-headers-6.1.0-*-amd64; run scripts/deps"
	dir=${dir##*/linux-headers-}
	printf '%s\n' "${dir%-amd64}"
}

# stock_release SERIES: the release (uname -r) of the stock SERIES kernel.
stock_release() {
	local var
	if [ "$1" = 6.1 ]; then
		printf '%s-amd64\n' "$(stock_6_1_abi)"
		return
	fi
	var=STOCK_${1//[.-]/_}_HEADERS
	printf '%s\n' "${!var#linux-headers-}"
}

# stock_dir SERIES: where scripts/kernel-stock unpacks that kernel.
stock_dir() { printf '%s/stock-%s\n' "$CACHE" "$(stock_release "$1")"; }

# stock_headers SERIES: its headers, a KDIR for out-of-tree modules (the
# host's for 6.1, unpacked into the cache for the others).
stock_headers() {
	if [ "$1" = 6.1 ]; then
		printf '/usr/src/linux-headers-%s\n' "$(stock_release 6.1)"
	else
		printf '%s/root/usr/src/linux-headers-%s\n' "$(stock_dir "$1")" \
			"$(stock_release "$1")"
	fi
}

# The host's linux-source-6.1 version, the source of the kernel's tools.
source_version() {
	dpkg-query -W -f '${Version}' linux-source-6.1 2>/dev/null ||
		die "linux-source-6.1 is not installed; run scripts/deps"
}

# kernel_version SERIES: the pinned version of SERIES's source.
kernel_version() {
	local var=KERNEL_${1//./_}_VERSION
	printf '%s\n' "${!var:-}"
}

# kernel_package SERIES: the package of SERIES's pinned source: Debian's
# linux-source-SERIES, or linux, the source package whose orig tarball is
# the upstream release (kernel_is_release).
kernel_package() {
	local var=KERNEL_${1//./_}_PACKAGE
	printf '%s\n' "${!var:-}"
}

# kernel_is_release SERIES: SERIES's pinned source is the upstream release
# as it is, not a tree with Debian's patches.
kernel_is_release() {
	[ "$(kernel_package "$1")" = linux ]
}

# kernel_source_id SERIES: SERIES's pinned source, package and version, for
# the keys of what is built from it.
kernel_source_id() {
	printf '%s %s\n' "$(kernel_package "$1")" "$(kernel_version "$1")"
}

# base_repo SERIES: the bare repository that scripts/patches imports
# SERIES's pinned source into.
base_repo() {
	printf '%s/base-%s-%s.git\n' "$CACHE" "$(kernel_package "$1")" "$(kernel_version "$1")"
}

# netfs_h_has_io_count < NETFS_H: whether the include/linux/netfs.h on
# standard input has netfs's count of I/O per inode (Linux 6.10 and later,
# or 6.1 with the stable backport, which adds it).
netfs_h_has_io_count() {
	grep -q 'atomic_t[[:space:]]*io_count;'
}

# has_io_count TREE: whether netfs in TREE already counts I/O per inode.
has_io_count() {
	netfs_h_has_io_count <"$1/include/linux/netfs.h"
}

# The files the project's upstream series are made from (scripts/patches).
series_inputs() {
	printf '%s\n' "$TOP/scripts/patches" "$TOP/scripts/lib.sh" \
		"$TOP"/scripts/series/*/* "$TOP"/scripts/coccinelle/*.cocci | sort
}

# series_for SERIES: the submission `make patches -b SERIES` writes for
# SERIES's pinned source, written once per set of inputs with
# a fixed identity; prints its directory.  Whatever uses a series takes it
# from here, so it is never older than the scripts and templates.
series_for() {
	local dir
	# shellcheck disable=SC2046
	dir=$CACHE/series-$1-$(hash_of "$(kernel_source_id "$1")" $(series_inputs))
	if [ ! -f "$dir/.done" ]; then
		rm -rf "$dir" "$dir.work"
		run_logged "$dir.log" env -u KSRC GIT_AUTHOR_NAME="netfs-iocount check" \
			GIT_AUTHOR_EMAIL=check@netfs-iocount.invalid BUILD="$dir.work" \
			"$TOP/scripts/patches" -b "$1" -o "$dir"
		rm -rf "$dir.work"
		touch "$dir/.done"
	fi
	printf '%s\n' "$dir"
}

# series_base SERIES: `make patches -b SERIES` writes a submission for
# SERIES's pinned source (a scripts/series/*/series.conf names it as
# its SERIES_BASE): its debug kernel is built from the patched tree.
series_base() {
	[ -n "$(series_conf "$1")" ]
}

# series_conf SERIES: the scripts/series/*/series.conf that names SERIES as
# its SERIES_BASE, or nothing.
series_conf() {
	{ grep -lx "SERIES_BASE=$1" "$TOP"/scripts/series/*/series.conf || true; } | head -n 1
}

# series_dir SERIES: the templates of the submission for SERIES, the
# scripts/series/* directory whose series.conf names it as its base.
series_dir() {
	local conf
	conf=$(series_conf "$1")
	[ -n "$conf" ] || die "no scripts/series/*/series.conf has SERIES_BASE=$1"
	dirname "$conf"
}

# kernel_test_patches SERIES: test machinery for the SERIES debug kernel,
# applied after its series (tests/kernel-tests/SERIES-*.patch).
kernel_test_patches() {
	find "$TOP/tests/kernel-tests" -maxdepth 1 -name "$1-*.patch" | sort
}

# series_patch_files DIR: the patches of the series in DIR, in order,
# without the cover letter.
series_patch_files() {
	find "$1" -maxdepth 1 -name '0*.patch' ! -name 0000-cover-letter.patch | sort
}

# series_diffs DIR: the diffs of the series in DIR, without its cover
# letter, messages, dates or addresses: what a kernel build depends on.
series_diffs() {
	local patch
	for patch in $(series_patch_files "$1"); do
		sed -n '/^diff --git/,$p' "$patch"
	done
}

# debug_fragments SERIES: the config fragments of the SERIES debug kernel:
# the common one, then the series' own if it has one.
debug_fragments() {
	printf '%s\n' "$TOP/tests/kernel.config"
	[ ! -f "$TOP/tests/kernel-$1.config" ] || printf '%s\n' "$TOP/tests/kernel-$1.config"
}

# debug_dir SERIES: the directory of the SERIES debug kernel built from the
# current inputs: the pinned source, the config fragments, the build
# script, the diffs of the series (on a kernel without netfs's io_count)
# and the test patches.  A variant (see scripts/kernel-debug), which is the
# primary's bzImage with modules of another tree, adds what it is: plain
# for SERIES-plain (6.1-plain), the tree as its release has it, and for a
# negative control the deliberately breaking patch in $DEBUG_FAULT_PATCH.
debug_dir() {
	local base=${1%-plain} series=none tests='' variant=primary
	"$TOP/scripts/kernel-source" "$base" >/dev/null || return 1
	if series_base "$base"; then
		series=$(series_for "$base") || return 1
		series=$(series_diffs "$series" | sha256sum)
	fi
	tests=$(kernel_test_patches "$base")
	[ "$1" = "$base" ] || variant=plain
	# shellcheck disable=SC2046,SC2086
	printf '%s/debug-%s-%s\n' "$CACHE" "$1" "$(hash_of "$(kernel_source_id "$base")" \
		$(debug_fragments "$base") "$TOP/scripts/kernel-debug" \
		"series $series" $tests "variant $variant" ${DEBUG_FAULT_PATCH:-})"
}

# uml_dir SERIES: the directory of the SERIES UML kernel built from the
# current inputs: the pinned source, its fragment and the build script.
uml_dir() {
	printf '%s/uml-%s-%s\n' "$CACHE" "$1" "$(hash_of "$(kernel_source_id "$1")" \
		"$TOP/tests/kernel-uml.config" "$TOP/scripts/kernel-uml")"
}

# fragments_merged FRAGMENT...: the options the FRAGMENTs set, each with
# the value of the last FRAGMENT that sets it, in the order they first
# appear.
fragments_merged() {
	awk '/^CONFIG_[A-Za-z0-9_]*=/ {
		opt = substr($0, 1, index($0, "=") - 1)
		if (!(opt in val))
			order[++n] = opt
		val[opt] = $0
	}
	END { for (i = 1; i <= n; i++) print val[order[i]] }' "$@"
}

# config_verify CONFIG FRAGMENT: every option FRAGMENT asks for survived
# olddefconfig into CONFIG.
config_verify() {
	local opt val
	while IFS='=' read -r opt val; do
		case "$opt" in CONFIG_*) ;; *) continue ;; esac
		if [ "$val" = n ]; then
			! grep -q "^$opt=" "$1" || die "$opt=n did not stick"
		else
			grep -qx "$opt=$val" "$1" ||
				die "$opt=$val did not stick (dependency missing?)"
		fi
	done <"$2"
}

# with_ccache BASEDIR COMMAND...: COMMAND with every gcc it runs going
# through ccache (Debian's masquerade directory first in PATH, so a
# kernel's own CC, gcc-12 say, goes through it too).  Paths under BASEDIR
# are hashed relative to it, so another build of the same sources
# elsewhere, such as a negative control's, recompiles only what differs.
# Depend mode: Kbuild has gcc write each object's dependencies (-Wp,-MMD),
# which ccache reads instead of preprocessing every file a second time on a
# miss.
with_ccache() {
	local base=$1
	shift
	PATH=/usr/lib/ccache:$PATH CCACHE_DIR=$CACHE/ccache CCACHE_BASEDIR=$base \
		CCACHE_MAXSIZE=4G CCACHE_DEPEND=1 "$@"
}

# kernel_make BASEDIR MAKE-ARGS...: make in a kernel tree (source and
# objects under BASEDIR), compiling through ccache.
kernel_make() {
	local base=$1
	shift
	with_ccache "$base" make "$@"
}

# Run a command quietly, keeping its output in a log that is shown on failure.
run_logged() {
	local log=$1
	shift
	mkdir -p "$(dirname "$log")"
	if ! "$@" >"$log" 2>&1; then
		tail -n 40 "$log" >&2
		die "'$*' failed; full log: $log"
	fi
}

# ktap_extract LOG SUITE: the KTAP document a guest printed for SUITE between
# the markers of tests/guest/kunit.sh.
ktap_extract() {
	tr -d '\r' <"$1" |
		sed -n "/^NETFS_IOCOUNT_KTAP_BEGIN $2\$/,/^NETFS_IOCOUNT_KTAP_END $2\$/p" |
		sed '1d;$d'
}

# The kernel's own tools (checkpatch.pl, kernel-doc, kunit.py, ...), from
# Debian's linux-source-6.1, unpacked once into the cache.  Prints the tree.
kernel_tools() {
	local ver dir
	ver=$(source_version)
	dir=$CACHE/tools-$ver
	if [ ! -f "$dir/.done" ]; then
		rm -rf "$dir"
		mkdir -p "$dir"
		tar -C "$dir" --strip-components=1 -xf /usr/src/linux-source-6.1.tar.xz \
			linux-source-6.1/scripts linux-source-6.1/tools/testing/kunit \
			linux-source-6.1/.clang-format linux-source-6.1/MAINTAINERS ||
			die "cannot unpack the kernel's tools from linux-source-6.1"
		touch "$dir/.done"
	fi
	printf '%s\n' "$dir"
}

# kunit_parse KTAP: parse results with the kernel's own kunit.py; fails when
# any test failed or none ran.
kunit_parse() {
	python3 "$(kernel_tools)/tools/testing/kunit/kunit.py" parse "$(realpath "$1")"
}

# guest_libraries PROGRAM ROOT: the shared libraries PROGRAM loads (none
# for a static one), copied under ROOT at their own paths.  A library the
# host lacks is named, and nothing is copied.
guest_libraries() {
	local lib missing
	# ldd fails on a static program, which needs nothing.
	missing=$(ldd "$1" 2>/dev/null | sed -n 's/^[[:space:]]*\([^ ]*\) => not found$/\1/p' || true)
	[ -z "$missing" ] ||
		die "${1##*/} needs $(echo $missing) for the guest, which this host lacks: run scripts/deps guests"
	for lib in $(ldd "$1" 2>/dev/null | grep -oE '/[^ ]+'); do
		mkdir -p "$2$(dirname "$lib")"
		cp -L "$lib" "$2$lib"
	done
}

# debian_program PACKAGE PATH: PATH of Debian's PACKAGE, at the version
# kernels.conf pins (VAR_VERSION, VAR the package's name in capitals),
# unpacked once from the archive into the cache; prints its path.
debian_program() {
	local var=${1^^} ver dir deb
	var=${var//-/_}_VERSION
	ver=${!var:?"kernels.conf pins no version of $1 ($var)"}
	dir=$CACHE/debs/$1-$ver
	if [ ! -x "$dir$2" ]; then
		deb=$("$TOP/scripts/kernel-source" --deb "$1=$ver") || return 1
		rm -rf "$dir"
		dpkg-deb -x "$deb" "$dir"
		[ -x "$dir$2" ] || die "$1 $ver has no $2"
	fi
	printf '%s\n' "$dir$2"
}

# guest_program NAME: tests/NAME.c built static (for guests, and for the
# host side of the 9p tests); prints its path.
guest_program() {
	local src=$TOP/tests/$1.c out=$BUILD/$1
	if [ ! -x "$out" ] || [ "$src" -nt "$out" ]; then
		mkdir -p "$BUILD"
		gcc -static -O2 -Wall -Wextra -o "$out" "$src" ||
			die "cannot build tests/$1.c (gcc, libc6-dev)"
	fi
	printf '%s\n' "$out"
}

# build_clean BUILD-MODULE-ARGS... OUTDIR: scripts/build-module, and no
# warning at all in its build (compiler, modpost, sparse with -c).
build_clean() {
	"$TOP/scripts/build-module" "$@" || return 1
	local out=${*: -1}
	if [ -s "$out/warnings" ]; then
		cat "$out/warnings"
		echo "W=1 build has $(wc -l <"$out/warnings") warning(s)"
		return 1
	fi
}

# ---- 9p guests: QEMU's own 9p server as the peer (make check, make run) ----

# p9_share NAME: a fresh directory for QEMU's 9p server; prints the path.
p9_share() {
	rm -rf "$BUILD/p9/$1"
	mkdir -p "$BUILD/p9/$1"
	printf '%s\n' "$BUILD/p9/$1"
}

# qemu_9p KERNEL NAME DIR SCENARIO [GUEST-RUN OPTIONS] [-- QEMU ARGS]: a
# KERNEL guest with DIR exported by QEMU's own 9p server under the tag
# p9share.
qemu_9p() {
	local kernel=$1 name=$2 dir=$3 scenario=$4 opts=() qemu=()
	shift 4
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		opts+=("$1")
		shift
	done
	[ $# -eq 0 ] || qemu=("${@:2}")
	"$TOP/scripts/guest-run" -k "$kernel" -n "$name" \
		-x "$(guest_program p9io)" "${opts[@]}" \
		-s "$TOP/tests/guest/$scenario.sh" -- \
		-virtfs "local,path=$dir,mount_tag=p9share,security_model=none,id=p9share" \
		"${qemu[@]}"
}

# p9_race KERNEL SCENARIO CACHES [GUEST-RUN OPTIONS]: the umount race on
# real 9p (tests/guest/SCENARIO.sh) in each cache mode of CACHES (comma
# separated), its window widened by p9hold, with the host's r0..r3.dat to
# read.  cache=fscache gets a disk for the cache and Debian's cachefilesd.
# The modules are those built for KERNEL, or P9_MODULES; the run's name
# SCENARIO-KERNEL, or P9_NAME; P9_ARGS adds to the guest's command line.
p9_race() {
	local kernel=$1 scenario=$2 caches=$3 name=${P9_NAME:-$2-$1} dir f qemu=()
	local cachefilesd mods=${P9_MODULES:-$BUILD/$1}
	shift 3
	dir=$(p9_share "$name")
	for f in 0 1 2 3; do
		head -c 262144 /dev/zero >"$dir/r$f.dat"
	done
	case ",$caches," in
	*,fscache,*)
		mkfs.ext4 -q -F "$dir.cache.img" 64M || return 1
		cachefilesd=$(debian_program cachefilesd /sbin/cachefilesd) || return 1
		set -- "$@" -x "$cachefilesd" -d "${cachefilesd%/sbin/*}/etc/cachefilesd.conf"
		qemu=(-- -drive "file=$dir.cache.img,if=virtio,format=raw")
		;;
	esac
	qemu_9p "$kernel" "$name" "$dir" "$scenario" -m "$mods" \
		-a "P9_CACHES=$caches P9_DELAY_MS=$P9_DELAY_MS${P9_ARGS:+ $P9_ARGS}" "$@" "${qemu[@]}"
}

# How long p9hold postpones each free of a 9p request in the race runs:
# long enough that an umount right after the readers still finds them
# pending in every cache mode, on a loaded machine too (at 100 ms, half
# of cache=loose's cycles had none left by the time of the eviction).
P9_DELAY_MS=250

# The stock kernels' modules that 9p over fscache needs in the guest.
P9_FSCACHE_MODULES=(-i netfs -i 9p -i 9pnet_virtio -i virtio_pci -i virtio_blk -i crc32c_generic -i ext4 -i cachefiles)
