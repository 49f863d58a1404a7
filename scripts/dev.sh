#!/usr/bin/env bash
# Set-up, build, run and test lockscope on a Debian or Ubuntu machine.
#   scripts/dev.sh run [ARGS...]   build, then start lockscope with ARGS (the window
#                                  when ARGS has no subcommand)
#   scripts/dev.sh test            build and run every test: the normal build, the
#                                  same suite under AddressSanitizer and
#                                  UndefinedBehaviorSanitizer, and a few seconds of
#                                  each fuzzer (LOCKSCOPE_QUICK=1 runs the first only)
#   scripts/dev.sh build           build only
#   scripts/dev.sh package         build, then make the Debian package
#                                  (build/lockscope_VERSION_ARCH.deb) with cpack
# Missing Debian packages are installed first (as root, or through sudo).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${LOCKSCOPE_BUILD_DIR:-$here/build}
jobs=$(nproc)
packages=(qt6-base-dev libsimdjson-dev cmake g++ ninja-build fonts-dejavu-core)
test_packages=(clang libclang-rt-dev xxd util-linux)
# cpack's Depends (dpkg-shlibdeps) and the packaging checks of the first stage.
package_packages=(dpkg-dev desktop-file-utils appstream groff-base man-db)

install_missing() {
    local missing=()
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
            || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "lockscope: installing ${missing[*]}" >&2
    local sudo=()
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null || {
            echo "lockscope: need root or sudo to install ${missing[*]}" >&2
            exit 2
        }
        sudo=(sudo)
    fi
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

configure_and_build() {
    local dir=$1
    shift
    cmake -S "$here" -B "$dir" -G Ninja "$@" >/dev/null
    cmake --build "$dir" -j "$jobs"
}

build() {
    install_missing "${packages[@]}"
    configure_and_build "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo
}

run_tests() {
    local dir=$1
    shift
    (cd "$dir" && QT_QPA_PLATFORM=offscreen ctest --output-on-failure -j "$jobs" --timeout 300 "$@")
}

command=${1:-run}
shift || true
case "$command" in
    build)
        build ;;
    run)
        build
        exec "$build_dir/app/lockscope" "$@" ;;
    package)
        build
        install_missing "${package_packages[@]}"
        (cd "$build_dir" && cpack) ;;
    test)
        build
        install_missing "${package_packages[@]}"
        echo "== tests" >&2
        run_tests "$build_dir"
        [ "${LOCKSCOPE_QUICK:-0}" = 1 ] && exit 0

        install_missing "${test_packages[@]}"
        echo "== tests under AddressSanitizer and UndefinedBehaviorSanitizer" >&2
        configure_and_build "$here/build-asan" -DCMAKE_BUILD_TYPE=Debug \
            -DLOCKSCOPE_SANITIZE=address,undefined
        ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
            LSAN_OPTIONS=suppressions="$here/tests/lsan.supp":print_suppressions=0 \
            UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
            run_tests "$here/build-asan"

        echo "== fuzzers, a few seconds each" >&2
        configure_and_build "$here/build-fuzz" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
            -DCMAKE_CXX_COMPILER=clang++ -DLOCKSCOPE_FUZZ=ON -DLOCKSCOPE_BUILD_GUI=OFF \
            -DLOCKSCOPE_BUILD_TESTS=OFF
        run_tests "$here/build-fuzz" -L fuzz ;;
    *)
        echo "usage: scripts/dev.sh run|test|build|package" >&2
        exit 2 ;;
esac
