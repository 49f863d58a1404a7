#!/usr/bin/env bash
# cpack makes the Debian package and the source tarball. The package declares
# its name, version, section, maintainer and the Qt libraries it links as
# Depends, and holds the installed files under /usr; the tarball holds the
# sources and no build folder or Git data.
# shellcheck source=tests/packaging/common.sh
source "$(dirname "$0")/common.sh"
need dpkg-deb dpkg
need dpkg-shlibdeps dpkg-dev

cpack --config "$BUILD_DIR/CPackConfig.cmake" -B "$scratch/deb" >"$scratch/cpack.log" 2>&1 ||
    fail "cpack: $(cat "$scratch/cpack.log")"
debs=("$scratch"/deb/lockscope_"$VERSION"_*.deb)
deb=${debs[0]}
[ -f "$deb" ] || fail "cpack made no lockscope_${VERSION}_*.deb: $(ls "$scratch/deb")"

field()
{
    dpkg-deb --field "$deb" "$1"
}
[ "$(field Package)" = lockscope ] || fail "Package is $(field Package)"
[ "$(field Version)" = "$VERSION" ] || fail "Version is $(field Version)"
[ "$(field Section)" = utils ] || fail "Section is $(field Section)"
[ -n "$(field Maintainer)" ] || fail "no Maintainer"
[ -n "$(field Homepage)" ] || fail "no Homepage"
field Description | sed -n 2p | grep -q . || fail "the description has no long text"
depends=$(field Depends)
depended=$(tr ',|' '\n' <<<"$depends" | sed 's/^ *//; s/[ (].*//')
for library in libqt6core6 libqt6gui6 libqt6widgets6 libsimdjson14 libc6 libstdc++6; do
    grep -qxF "$library" <<<"$depended" || fail "Depends lacks $library: $depends"
done

dpkg-deb --contents "$deb" >"$scratch/contents"
awk '{ print $6 }' "$scratch/contents" | grep -v '/$' | sed 's|^\./usr/||' |
    LC_ALL=C sort >"$scratch/packaged"
LC_ALL=C sort "$(dirname "$0")/expected-files.txt" >"$scratch/expected"
diff -u "$scratch/expected" "$scratch/packaged" ||
    fail "the package's files differ from expected-files.txt (- expected, + packaged)"
grep -q '^-rwxr-xr-x root/root .* \./usr/bin/lockscope$' "$scratch/contents" ||
    fail "/usr/bin/lockscope is not an executable owned by root"

cpack --config "$BUILD_DIR/CPackSourceConfig.cmake" -B "$scratch/source" \
    >"$scratch/cpack-source.log" 2>&1 || fail "cpack (source): $(cat "$scratch/cpack-source.log")"
tarball=$scratch/source/lockscope-$VERSION.tar.gz
[ -f "$tarball" ] || fail "no $tarball"
tar -tzf "$tarball" >"$scratch/sources"
for file in CMakeLists.txt LICENSE README.md app/main.cpp data/completion/lockscope \
    translations/lockscope_en.ts; do
    grep -qx "lockscope-$VERSION/$file" "$scratch/sources" || fail "the tarball lacks $file"
done
if grep -E "^lockscope-$VERSION/(build[^/]*|\.git)(/|$)" "$scratch/sources" | head -n 3 | grep .; then
    fail "the tarball holds build folders or Git data"
fi
echo "ok: $(basename "$deb") ($(du -k "$deb" | cut -f1) KiB, Depends: $depends)," \
    "$(basename "$tarball") ($(wc -l <"$scratch/sources") entries)"
