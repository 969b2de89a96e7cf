#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# kernel.sh [SERIES]: build (once) and print the path of a wsk debug test kernel
# tree. SERIES is 6.12 (the default) or 6.1.
#
# The tree is built from Debian's linux-source-SERIES with tinyconfig plus
# tools/vm/debug.config and cached under $WSK_CACHE, keyed by the source package
# version and the hash of the fragment and this script. Options of the
# fragment that the series' Kconfig does not know are left out (and listed);
# every other option must survive dependency resolution. Concurrent callers
# serialise on a lock file; a tree counts as built once its .done marker exists.
# A cache miss starts from a copy of the newest built tree of the same source,
# if any, so a changed fragment costs an incremental build.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

series=${1:-6.12}
pkg=linux-source-$series
src_tar=/usr/src/$pkg.tar.xz
[ -f "$src_tar" ] || die "$src_tar missing (apt-get install $pkg)"
ver=$(dpkg-query -W -f='${Version}' "$pkg")
key=$(cat "$WSK_TOP/tools/vm/debug.config" "$0" | sha256sum | cut -c1-12)
dir="$WSK_CACHE/kernel-$ver-$key"

mkdir -p "$WSK_CACHE"
exec 9>"$WSK_CACHE/kernel.lock"
flock 9
if [ -f "$dir/.done" ]; then
	echo "$dir/linux"
	exit 0
fi

rm -rf "$dir"
mkdir -p "$dir"
t0=$SECONDS
# A tree of the same source built with another fragment, if there is one:
# copied, it makes the build incremental (kbuild rebuilds what the changed
# options touch), minutes instead of half an hour.
seed=$(ls -td "$WSK_CACHE/kernel-$ver-"*/.done 2>/dev/null | head -n 1)
if [ -n "$seed" ]; then
	seed=${seed%/.done}
	log "debug kernel $series: cache miss, key $key; copying $seed for an incremental build"
	cp -a "$seed/linux" "$dir/linux"
else
	log "debug kernel $series: unpacking $pkg $ver (cache miss, key $key)"
	tar -C "$dir" -xf "$src_tar"
	mv "$dir/$pkg" "$dir/linux"
fi
cd "$dir/linux"

# The fragment, less the options this series does not have. A line ending in
# "# optional" may also be dropped by dependency resolution (listed, not fatal).
frag="$dir/debug.config"
: >"$frag"
optional=" "
kconfigs=$(find . -name 'Kconfig*' -not -path './Documentation/*')
while IFS= read -r line; do
	opt=
	case "$line" in
	*"# optional") line=${line%% *# optional}; optional="$optional${line%%=*} " ;;
	esac
	case "$line" in
	CONFIG_*=*) opt=${line%%=*} ;;
	"# CONFIG_"*" is not set") opt=${line#\# }; opt=${opt% is not set} ;;
	esac
	if [ -n "$opt" ] && ! grep -Eq "^\s*(menu)?config ${opt#CONFIG_}\s*$" $kconfigs; then
		log "debug kernel $series: $opt does not exist in this series (left out)"
		continue
	fi
	echo "$line" >>"$frag"
done <"$WSK_TOP/tools/vm/debug.config"

make_k() { make -s ARCH=x86_64 "$@"; }
make_k tinyconfig >/dev/null
scripts/kconfig/merge_config.sh -m .config "$frag" >/dev/null
make_k olddefconfig >/dev/null

# Every option the fragment asks for must survive dependency resolution.
bad=0
while IFS= read -r line; do
	case "$line" in
	CONFIG_*=n) opt=${line%=n}
		grep -q "^$opt=" .config && { log "fragment: $opt still set"; bad=1; } ;;
	CONFIG_*=*)
		grep -qx "$line" .config && continue
		case "$optional" in
		*" ${line%%=*} "*) log "debug kernel $series: optional $line dropped" ;;
		*) log "fragment: $line dropped"; bad=1 ;;
		esac ;;
	"# CONFIG_"*" is not set") opt=${line#\# }; opt=${opt% is not set}
		grep -q "^$opt=" .config && { log "fragment: $opt still set"; bad=1; } ;;
	esac
done <"$frag"
[ $bad = 0 ] || die "config fragment not satisfiable"

jobs=$(nproc)
log "debug kernel $series: building with -j$jobs (about 10 minutes; progress every 60 s)"
make ARCH=x86_64 -j"$jobs" bzImage modules >"$dir/build.log" 2>&1 &
pid=$!
while kill -0 $pid 2>/dev/null; do
	sleep 60
	kill -0 $pid 2>/dev/null || break
	log "debug kernel $series: $(grep -c '^  CC' "$dir/build.log" || true) files compiled, $((SECONDS - t0)) s"
done
if ! wait $pid; then
	tail -n 30 "$dir/build.log" >&2
	die "debug kernel $series build failed (log: $dir/build.log)"
fi
touch "$dir/.done"
log "debug kernel $series: ready in $((SECONDS - t0)) s at $dir"
# Keep the two newest trees of this source (another branch may use the other).
ls -td "$WSK_CACHE/kernel-$ver-"*/ | tail -n +3 | while IFS= read -r old; do
	log "debug kernel $series: removing the older tree $old"
	rm -rf "$old"
done
echo "$dir/linux"
