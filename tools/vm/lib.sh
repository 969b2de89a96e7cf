# SPDX-License-Identifier: GPL-2.0
# Shared helpers for the wsk VM harness. Sourced, never run.

WSK_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
WSK_CACHE=${WSK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/wsk}
WSK_OUT=${WSK_OUT:-$WSK_TOP/.out}

log() { printf '[%(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "error: $*"; exit 1; }

# Host packages the harness needs. The Debian kernels are the distribution's
# meta-packages, so apt picks the current patch level; nothing is pinned here.
WSK_DEB_PACKAGES="qemu-system-x86 busybox-static kmod cpio xz-utils gcc make libc6-dev
	python3 bc bison flex libelf-dev libssl-dev dwarves sparse iproute2
	linux-source-6.12 linux-source-6.1 linux-image-amd64 linux-headers-amd64
	linux-image-6.12-amd64 linux-headers-6.12-amd64 dkms coccinelle"

deps_missing() {
	local p missing=
	for p in $WSK_DEB_PACKAGES; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
			missing="$missing $p"
	done
	echo "$missing"
}

deps_install() {
	local missing
	missing=$(deps_missing)
	[ -z "$missing" ] && return 0
	if [ "$(id -u)" != 0 ]; then
		die "missing host packages; as root run: apt-get install$missing"
	fi
	log "installing host packages:$missing"
	apt-get update -qq >/dev/null || die "apt-get update failed"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		$missing >/dev/null || die "apt-get install$missing failed"
}

# The kernel release a Debian meta-package currently points to, e.g.
# linux-image-amd64 -> 6.1.0-56-amd64.
deb_release() {
	dpkg-query -W -f='${Depends}' "$1" | tr ',' '\n' |
		sed -n 's/^ *linux-image-\([0-9][^ ]*\).*/\1/p' | head -n 1
}

# Print "vmlinuz headers-dir" for a stock kernel selected by meta-package.
stock_kernel() {
	local rel
	rel=$(deb_release "$1")
	[ -n "$rel" ] || die "cannot resolve $1 to a kernel release"
	[ -f "/boot/vmlinuz-$rel" ] || die "/boot/vmlinuz-$rel missing (apt-get install $1)"
	[ -d "/usr/src/linux-headers-$rel" ] || die "headers for $rel missing"
	echo "/boot/vmlinuz-$rel /usr/src/linux-headers-$rel $rel"
}

# tree_files [PATH...]: the project's files (under the PATHs, default all of
# it), one per line relative to $WSK_TOP: those git tracks or would track in
# a git checkout; in a tree without .git (a release tarball) every file but
# what .gitignore leaves out (build output, .out/).
tree_files() {
	local list
	if [ -e "$WSK_TOP/.git" ] &&
		list=$(cd "$WSK_TOP" && git ls-files -co --exclude-standard -- "$@" 2>/dev/null); then
		[ -n "$list" ] && echo "$list"
		return 0
	fi
	(cd "$WSK_TOP" && find "${@:-.}" \( -name .out -o -name .tmp_versions -o -name .git \) -prune -o \
		-type f ! \( -name '*.o' -o -name '*.ko' -o -name '*.mod' -o -name '*.mod.c' \
		-o -name '*.cmd' -o -name '*.order' -o -name Module.symvers -o -name '*.o.d' \
		-o -name .checkpatch-camelcase.git \) -print | sed 's|^\./||' | sort)
}

# wsk_version: the version of the sources (wsk/version.mk, `make version`).
wsk_version() {
	make -s --no-print-directory -C "$WSK_TOP" version
}

# Copy the module sources (whatever of them exist) into directory $1: the
# files of tree_files, never build output left by an in-place build.
# The copy's VERSION holds the version of the tree it came from, as the copy
# has no .git to describe.
copy_sources() {
	local d have= version
	for d in Kbuild VERSION wsk kunit include samples; do
		[ -e "$WSK_TOP/$d" ] && have="$have $d"
	done
	version=$(wsk_version)
	tree_files $have | (cd "$WSK_TOP" && tar -cf - -T -) | tar -C "$1" -xf -
	echo "$version" >"$1/VERSION"
}

# bench_build KDIR OUTDIR [WSK_SYMVERS]: builds the benchmark modules of
# bench/ against KDIR in their own out-of-tree build (OUTDIR/bench-src, a
# copy of bench/ and include/; the top-level Kbuild never builds them), with
# W=1 -Werror, and copies them to OUTDIR/modules. Given wsk's Module.symvers,
# the wsk servers (bench_wsk.ko) too, else the raw baseline alone. The build
# log is OUTDIR/build-bench.log, printed on failure.
bench_build() {
	local kdir=$1 out=$2 symvers=${3:-} args=()
	rm -rf "${out:?}/bench-src"
	mkdir -p "$out/bench-src" "$out/modules"
	tree_files bench include | (cd "$WSK_TOP" && tar -cf - -T -) | tar -C "$out/bench-src" -xf -
	[ -n "$symvers" ] && args=(WSK_BENCH_WSK=1 KBUILD_EXTRA_SYMBOLS="$symvers")
	if ! make -s -C "$kdir" M="$out/bench-src/bench" W=1 KCFLAGS=-Werror "${args[@]}" \
		modules >"$out/build-bench.log" 2>&1; then
		cat "$out/build-bench.log" >&2
		return 1
	fi
	find "$out/bench-src/bench" -name '*.ko' -exec cp {} "$out/modules/" \;
}
