#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# initramfs.sh OUT.cpio.gz MODULE_DIR GUEST_BIN_DIR [STOCK_RELEASE]
# Packs busybox-static, the guest init, the given modules, the project's static
# guest programs, its integration tests and demo scripts into a gzip'ed cpio.
#
# Also Debian's iproute2 ip, tc and ss (busybox's ip has no netns, its tc no
# netem, and it has no ss) in /usr/sbin, with the shared libraries ldd lists
# and the dynamic loader; /bin/ip, /bin/tc and /bin/ss point to them (busybox
# --install leaves existing names alone), so they are the ones on PATH. But
# busybox sh runs its own applets before searching PATH: scripts call
# /usr/sbin/ip and /usr/sbin/tc by path.
#
# STOCK_RELEASE (a Debian kernel release, empty for the debug kernels, which
# have these built in): the modules of that kernel the tests load themselves,
# $WSK_GUEST_KMODS (NAME? only where it is a module) and what modules.dep
# says they need, decompressed into
# /wsk/kmod/NAME.ko, with /wsk/kmod/modules.dep: one line "NAME: DEP..." per
# module, its dependencies in load order.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

WSK_GUEST_KMODS="sch_netem inet_diag tcp_diag veth tls gcm ghash-generic ctr?"
WSK_GUEST_TOOLS="ip tc ss"

out=$1 moddir=$2 bindir=$3 release=${4:-}
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
chmod 755 "$root"	# mktemp's 0700 would keep every user but root out of /

mkdir -p "$root"/{bin,sbin,proc,sys,dev,tmp,etc,root,wsk/modules,wsk/bin,wsk/tests,wsk/demo}
cp /bin/busybox "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
cp "$WSK_TOP/tools/vm/guest-init.sh" "$root/init"
chmod 755 "$root/init"
cp "$moddir"/*.ko "$root/wsk/modules/"
# The stock kernels' DKMS-built wsk.ko and SDK-built client (tools/vm/pkg-check.sh).
if [ -d "$moddir/sdk" ]; then
	mkdir -p "$root/wsk/modules/sdk"
	cp "$moddir"/sdk/* "$root/wsk/modules/sdk/"
fi
if compgen -G "$bindir/*" >/dev/null; then cp "$bindir"/* "$root/wsk/bin/"; fi
cp "$WSK_TOP"/tools/tests/*.sh "$root/wsk/tests/"
if compgen -G "$WSK_TOP/tools/demo/*.sh" >/dev/null; then
	cp "$WSK_TOP"/tools/demo/*.sh "$root/wsk/demo/"
fi
# copy_with_libs BIN: BIN into /usr/sbin, with every library ldd lists (and the
# loader) at the path it has on the host.
copy_with_libs() {
	local bin lib
	bin=$(PATH=/usr/sbin:/usr/bin:/sbin:/bin command -v "$1") ||
		die "$1 missing on the host (apt-get install iproute2)"
	cp -L "$bin" "$root/usr/sbin/$1"
	ln -sf "/usr/sbin/$1" "$root/bin/$1"
	for lib in $(ldd "$bin" | awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^\//) print $i }'); do
		[ -e "$root$lib" ] && continue
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib"
	done
}
mkdir -p "$root/usr/sbin"
for t in $WSK_GUEST_TOOLS; do copy_with_libs "$t"; done
# They must run in the guest's root: check it here where it is cheap to (as root).
if [ "$(id -u)" = 0 ]; then
	for t in $WSK_GUEST_TOOLS; do
		chroot "$root" "/usr/sbin/$t" -V >/dev/null 2>&1 ||
			die "$t does not run in the initramfs root (a library missing?)"
	done
fi

# kmod_copy SRC DST: a module file of $release, decompressed to DST.
kmod_copy() {
	local src=$1 dst=$2
	case "$src" in
	*.ko) cp "$src" "$dst" ;;
	*.ko.xz) xz -dc "$src" >"$dst" ;;
	*.ko.zst) zstd -qdc "$src" >"$dst" || die "cannot decompress $src (apt-get install zstd)" ;;
	*.ko.gz) gzip -dc "$src" >"$dst" ;;
	*) die "unknown module file $src" ;;
	esac
}
if [ -n "$release" ]; then
	kdir=/lib/modules/$release
	[ -f "$kdir/modules.dep" ] || die "$kdir/modules.dep missing (linux-image-$release)"
	mkdir -p "$root/wsk/kmod"
	: >"$root/wsk/kmod/modules.dep"
	for m in $WSK_GUEST_KMODS; do
		# NAME?: only if the kernel has it as a module (not built in).
		opt=
		case "$m" in *"?") m=${m%"?"} opt=1 ;; esac
		# modules.dep: "path: deps...", the deps listed last-loaded first.
		if ! line=$(grep -E "(^|/)$m\.ko(\.[a-z]+)?:" "$kdir/modules.dep" | head -n 1); then
			[ -n "$opt" ] && continue
			die "$m is not a module of $release"
		fi
		path=${line%%:*}
		deps=
		for d in ${line#*:}; do deps="$d $deps"; done
		names=
		for f in $deps $path; do
			n=$(basename "$f")
			n=${n%%.ko*}
			[ -f "$root/wsk/kmod/$n.ko" ] || kmod_copy "$kdir/$f" "$root/wsk/kmod/$n.ko"
			[ "$f" = "$path" ] || names="$names $n"
		done
		echo "$m:$names" >>"$root/wsk/kmod/modules.dep"
	done
fi

# An unprivileged user for permission tests.
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/sh\n' >"$root/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
mknod -m 600 "$root/dev/console" c 5 1 2>/dev/null || true
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$out"
