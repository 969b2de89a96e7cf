#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# initramfs.sh OUT.cpio.gz MODULE_DIR GUEST_BIN_DIR
# Packs busybox-static, the guest init, the given modules, the project's static
# guest programs, its integration tests and demo scripts into a gzip'ed cpio.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

out=$1 moddir=$2 bindir=$3
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
chmod 755 "$root"	# mktemp's 0700 would keep every user but root out of /

mkdir -p "$root"/{bin,sbin,proc,sys,dev,tmp,etc,root,wsk/modules,wsk/bin,wsk/tests,wsk/demo}
cp /bin/busybox "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
cp "$WSK_TOP/tools/vm/guest-init.sh" "$root/init"
chmod 755 "$root/init"
cp "$moddir"/*.ko "$root/wsk/modules/"
if compgen -G "$bindir/*" >/dev/null; then cp "$bindir"/* "$root/wsk/bin/"; fi
cp "$WSK_TOP"/tools/tests/*.sh "$root/wsk/tests/"
if compgen -G "$WSK_TOP/tools/demo/*.sh" >/dev/null; then
	cp "$WSK_TOP"/tools/demo/*.sh "$root/wsk/demo/"
fi
# An unprivileged user for permission tests.
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/sh\n' >"$root/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
mknod -m 600 "$root/dev/console" c 5 1 2>/dev/null || true
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$out"
