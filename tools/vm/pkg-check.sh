#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# pkg-check.sh OUTDIR RELEASE HEADERS [RELEASE HEADERS...]
# The installs, on the host, as a user of wsk would do them, for each kernel
# RELEASE whose headers are HEADERS (no QEMU; tools/vm/check.sh counts the
# cases):
# - make modules_install (INSTALL_MOD_PATH in OUTDIR) installs wsk.ko alone;
# - make install-dev (DESTDIR in OUTDIR) installs the header, wsk.mk and
#   Module.symvers, which lists every export of wsk/*.c with a CRC in
#   namespace WSK, and samples/wsk_minimal, copied alone, builds against
#   that SDK: no undefined symbol, and its CRCs of wsk's exports are the SDK's;
# - dkms add, build and install (Debian's dkms, with its source, DKMS and
#   install trees and its signing key in OUTDIR) make a wsk.ko of the right
#   version and release, signed with the DKMS key.
# Everything is built from a copy of the tree (OUTDIR/src), so nothing is
# built in the tree itself. Prints KTAP, one line per case, "ok N NAME" or
# "not ok N NAME"; the logs are in OUTDIR, and a failing case's log goes to
# stderr. For the stock guests' test of the DKMS-built module
# (tools/tests/70-minimal.sh), OUTDIR/guest-RELEASE/ receives the DKMS-built
# wsk.ko, the SDK-built wsk_minimal.ko and VERSION.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ $# -ge 3 ] && [ $(($# % 2)) = 1 ] || die "usage: pkg-check.sh OUTDIR RELEASE HEADERS..."
out=$(realpath -m "$1")
shift
rm -rf "$out"
mkdir -p "$out/src"
tree_files | (cd "$WSK_TOP" && tar -cf - -T -) | tar -C "$out/src" -xf -
version=$(wsk_version)
echo "$version" >"$out/src/VERSION"
src=$out/src
dest=$out/dest
sdk=$dest/usr/lib/wsk

# pass NAME / fail NAME LOG: one case, as KTAP ("ok N NAME"; no plan, the
# number of cases is not known in advance).
echo "KTAP version 1"
ncase=0
pass() { ncase=$((ncase + 1)); echo "ok $ncase $1"; }
fail() {
	ncase=$((ncase + 1))
	echo "not ok $ncase $1"
	log "FAIL $1; $2:"
	tail -n 40 "$2" >&2 || true
}

# The DKMS trees, and its key instead of /var/lib/dkms's (prepare_signing in
# dkms reads these from the environment when framework.conf leaves them unset).
dk=$out/dkms
mkdir -p "$dk/source" "$dk/tree" "$dk/install"
export mok_signing_key=$dk/mok.key mok_certificate=$dk/mok.pub
dkms_() { dkms --sourcetree "$dk/source" --dkmstree "$dk/tree" --installtree "$dk/install" "$@"; }
dkms_added=0
if make -s -C "$src" dkms-source DKMS_SRC="$dk/source/wsk-$version" >"$dk/add.log" 2>&1 &&
	dkms_ add -m wsk -v "$version" >>"$dk/add.log" 2>&1; then
	dkms_added=1
	pass "dkms add wsk/$version"
else
	fail "dkms add wsk/$version" "$dk/add.log"
fi

# modinfo_is FIELD KO EXPECTED LOG: KO's FIELD (first word) is EXPECTED.
modinfo_is() {
	local got
	got=$(modinfo -F "$1" "$2" 2>>"$4" | awk 'NR == 1 { print $1 }')
	echo "modinfo $1 of $2: '$got', expected '$3'" >>"$4"
	[ "$got" = "$3" ]
}

# crcs_match KO SYMVERS LOG: every wsk symbol KO records a CRC for has that
# CRC in SYMVERS, and there is at least one.
crcs_match() {
	local n=0 crc sym
	while read -r crc sym; do
		grep -q "^$crc	$sym	" "$2" || { echo "CRC $crc of $sym not in $2" >>"$3"; return 1; }
		n=$((n + 1))
	done < <(modprobe --dump-modversions "$1" | awk '$2 ~ /^wsk_/ { print $1, $2 }')
	echo "$n CRCs of wsk's exports match $2" >>"$3"
	[ "$n" -gt 0 ]
}

# exports_listed SYMVERS LOG: every symbol wsk/*.c exports is in SYMVERS with
# a CRC and namespace WSK (testpoint.c's, built with CONFIG_KUNIT only, aside).
exports_listed() {
	local sym n=0
	for sym in $(cd "$src" && ls wsk/*.c | grep -v '^wsk/testpoint\.c$' | xargs cat |
		sed -n 's/^EXPORT_SYMBOL_NS_GPL(\([a-z_0-9]*\), *WSK);/\1/p'); do
		if ! awk -v s="$sym" '$2 == s && $1 ~ /^0x[0-9a-f]+$/ && $5 == "WSK" { f = 1 }
			END { exit !f }' "$1"; then
			echo "$sym: not in $1 with a CRC in namespace WSK" >>"$2"
			return 1
		fi
		n=$((n + 1))
	done
	echo "$n exports of wsk/*.c in $1" >>"$2"
	[ "$n" -gt 0 ]
}

while [ $# -ge 2 ]; do
	rel=$1 headers=$2
	shift 2
	l=$out/$rel
	g=$out/guest-$rel
	mkdir -p "$l" "$g"

	name="$rel: make modules_install installs wsk.ko alone"
	if make -C "$src" KDIR="$headers" INSTALL_MOD_PATH="$l/mi" modules_install \
		>"$l/modules_install.log" 2>&1; then
		(cd "$l/mi" && find . -name '*.ko*') >"$l/installed.txt"
		cat "$l/installed.txt" >>"$l/modules_install.log"
		if [ "$(sed 's|.*/||' "$l/installed.txt")" = wsk.ko.xz ] ||
			[ "$(sed 's|.*/||' "$l/installed.txt")" = wsk.ko ]; then
			pass "$name"
		else
			fail "$name" "$l/modules_install.log"
		fi
	else
		fail "$name" "$l/modules_install.log"
	fi

	name="$rel: make install-dev installs the header, wsk.mk and Module.symvers"
	name="$name (every export, CRC, namespace WSK)"
	if make -C "$src" KDIR="$headers" DESTDIR="$dest" install-dev >"$l/install-dev.log" 2>&1 &&
		[ -f "$sdk/include/wsk/wsk.h" ] && [ -f "$sdk/include/wsk/dispatch.h" ] &&
		[ -f "$sdk/wsk.mk" ] && grep -q '	wsk_register	' "$sdk/$rel/Module.symvers" &&
		exports_listed "$sdk/$rel/Module.symvers" "$l/install-dev.log"; then
		pass "$name"
	else
		fail "$name" "$l/install-dev.log"
	fi

	# The client from a copy of its directory alone, as the README shows.
	name="$rel: samples/wsk_minimal builds against the installed SDK alone"
	m=$l/wsk_minimal
	cp -r "$src/samples/wsk_minimal" "$m"
	if make -C "$m" KDIR="$headers" WSK_SDK="$sdk" >"$l/minimal.log" 2>&1 &&
		! grep -qE 'WARNING|undefined|wsk: no ' "$l/minimal.log" &&
		modinfo_is depends "$m/wsk_minimal.ko" wsk "$l/minimal.log" &&
		modinfo_is vermagic "$m/wsk_minimal.ko" "$rel" "$l/minimal.log" &&
		crcs_match "$m/wsk_minimal.ko" "$sdk/$rel/Module.symvers" "$l/minimal.log"; then
		pass "$name"
		cp "$m/wsk_minimal.ko" "$g/"
	else
		fail "$name" "$l/minimal.log"
	fi

	name="$rel: dkms build and install wsk/$version, signed with the DKMS key"
	mkdir -p "$dk/install/$rel"
	ko=
	if [ $dkms_added = 1 ] &&
		dkms_ build -m wsk -v "$version" -k "$rel" --kernelsourcedir "$headers" \
			>"$l/dkms.log" 2>&1 &&
		dkms_ install --no-depmod -m wsk -v "$version" -k "$rel" \
			--kernelsourcedir "$headers" >>"$l/dkms.log" 2>&1 &&
		dkms_ status -m wsk -v "$version" -k "$rel" >"$l/dkms-status.txt" 2>&1 &&
		grep -q ': installed$' "$l/dkms-status.txt" &&
		ko=$(ls "$dk/install/$rel/updates/dkms/"wsk.ko*) &&
		modinfo_is version "$ko" "$version" "$l/dkms.log" &&
		modinfo_is vermagic "$ko" "$rel" "$l/dkms.log" &&
		[ "$(modinfo -F signer "$ko")" = "DKMS module signing key" ]; then
		pass "$name"
		case $ko in
		*.xz) xz -dc "$ko" >"$g/wsk.ko" ;;
		*.zst) zstd -qdc "$ko" >"$g/wsk.ko" ;;
		*.gz) gzip -dc "$ko" >"$g/wsk.ko" ;;
		*) cp "$ko" "$g/wsk.ko" ;;
		esac
		echo "$version" >"$g/VERSION"
	else
		[ $dkms_added = 1 ] || echo "dkms add failed" >>"$l/dkms.log"
		cat "$l/dkms-status.txt" >>"$l/dkms.log" 2>/dev/null || true
		fail "$name" "$l/dkms.log"
	fi
done
