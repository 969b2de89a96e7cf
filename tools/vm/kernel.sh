#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Build (once) and print the path of the wsk debug test kernel tree.
#
# The tree is built from Debian's linux-source-6.12 with tinyconfig plus
# tools/vm/debug.config and cached under $WSK_CACHE, keyed by the source package
# version and the hash of the fragment and this script. Concurrent callers
# serialise on a lock file; a tree counts as built once its .done marker exists.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

src_tar=/usr/src/linux-source-6.12.tar.xz
[ -f "$src_tar" ] || die "$src_tar missing (apt-get install linux-source-6.12)"
ver=$(dpkg-query -W -f='${Version}' linux-source-6.12)
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
log "debug kernel: unpacking linux-source-6.12 $ver (cache miss, key $key)"
tar -C "$dir" -xf "$src_tar"
mv "$dir"/linux-source-6.12 "$dir/linux"
cd "$dir/linux"

make_k() { make -s ARCH=x86_64 "$@"; }
make_k tinyconfig >/dev/null
scripts/kconfig/merge_config.sh -m .config "$WSK_TOP/tools/vm/debug.config" >/dev/null
make_k olddefconfig >/dev/null

# Every option the fragment asks for must survive dependency resolution.
bad=0
while IFS= read -r line; do
	case "$line" in
	CONFIG_*=n) opt=${line%=n}
		grep -q "^$opt=" .config && { log "fragment: $opt still set"; bad=1; } ;;
	CONFIG_*=*) grep -qx "$line" .config || { log "fragment: $line dropped"; bad=1; } ;;
	"# CONFIG_"*" is not set") opt=${line#\# }; opt=${opt% is not set}
		grep -q "^$opt=" .config && { log "fragment: $opt still set"; bad=1; } ;;
	esac
done < "$WSK_TOP/tools/vm/debug.config"
[ $bad = 0 ] || die "config fragment not satisfiable"

jobs=$(nproc)
log "debug kernel: building with -j$jobs (about 5-8 minutes; progress every 30 s)"
make ARCH=x86_64 -j"$jobs" bzImage modules >"$dir/build.log" 2>&1 &
pid=$!
while kill -0 $pid 2>/dev/null; do
	sleep 30
	kill -0 $pid 2>/dev/null || break
	log "debug kernel: $(grep -c '^  CC' "$dir/build.log" || true) files compiled, $((SECONDS - t0)) s"
done
if ! wait $pid; then
	tail -n 30 "$dir/build.log" >&2
	die "debug kernel build failed (log: $dir/build.log)"
fi
touch "$dir/.done"
log "debug kernel: ready in $((SECONDS - t0)) s at $dir"
echo "$dir/linux"
