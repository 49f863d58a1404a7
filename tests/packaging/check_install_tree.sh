#!/usr/bin/env bash
# `cmake --install` to a temporary prefix installs exactly the expected files
# (expected-files.txt), the installed binary runs, and each PNG icon has the
# size its folder says.
# shellcheck source=tests/packaging/common.sh
source "$(dirname "$0")/common.sh"

prefix=$scratch/prefix
cmake --install "$BUILD_DIR" --prefix "$prefix" >"$scratch/install.log" ||
    fail "cmake --install: $(cat "$scratch/install.log")"
(cd "$prefix" && find . -type f -o -type l | sed 's|^\./||' | LC_ALL=C sort) >"$scratch/installed"
LC_ALL=C sort "$(dirname "$0")/expected-files.txt" >"$scratch/expected"
diff -u "$scratch/expected" "$scratch/installed" ||
    fail "the installed files differ from expected-files.txt (- expected, + installed)"

[ -x "$prefix/bin/lockscope" ] || fail "bin/lockscope is not executable"
[ "$("$prefix/bin/lockscope" --version)" = "lockscope $VERSION" ] ||
    fail "the installed lockscope does not say version $VERSION"

# A PNG's width and height are the big-endian words at bytes 16 and 20.
for png in "$prefix"/share/icons/hicolor/*/apps/*.png; do
    size=$(basename "$(dirname "$(dirname "$png")")")
    read -r width height < <(od -An -tu1 -j16 -N8 "$png" |
        awk '{ print $1*16777216 + $2*65536 + $3*256 + $4, $5*16777216 + $6*65536 + $7*256 + $8 }')
    [ "${width}x${height}" = "$size" ] || fail "$png is ${width}x${height}, not $size"
done

gzip -t "$prefix/share/man/man1/lockscope.1.gz" || fail "the manual page is not gzip"
echo "ok: $(wc -l <"$scratch/installed") files under $prefix"
