#!/usr/bin/env bash
# Set-up, build, run and test lockscope on a Debian or Ubuntu machine.
#   scripts/dev.sh run [ARGS...]   build, then start lockscope (GUI) with ARGS
#   scripts/dev.sh test            build, then run every test with ctest
#   scripts/dev.sh build           build only
# Missing Debian packages are installed first (as root, or through sudo).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${LOCKSCOPE_BUILD_DIR:-$here/build}
packages=(qt6-base-dev cmake g++ ninja-build fonts-dejavu-core)

install_missing() {
    local missing=()
    for p in "${packages[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
            || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "lockscope: installing ${missing[*]}" >&2
    local sudo=()
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null || { echo "lockscope: need root or sudo to install ${missing[*]}" >&2; exit 2; }
        sudo=(sudo)
    fi
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

build() {
    install_missing
    cmake -S "$here" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
    cmake --build "$build_dir" -j "$(nproc)"
}

command=${1:-run}
shift || true
case "$command" in
    build)
        build ;;
    run)
        build
        exec "$build_dir/app/lockscope" "$@" ;;
    test)
        build
        cd "$build_dir"
        QT_QPA_PLATFORM=offscreen ctest --output-on-failure -j "$(nproc)" --timeout 300 ;;
    *)
        echo "usage: scripts/dev.sh run|test|build" >&2
        exit 2 ;;
esac
