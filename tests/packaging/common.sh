# shellcheck shell=bash
# Shared by the packaging checks: failing with a message, and the tools.
set -euo pipefail

fail()
{
    echo "FAIL: $*" >&2
    exit 1
}

# need TOOL PACKAGE: the check cannot run without TOOL.
need()
{
    command -v "$1" >/dev/null ||
        fail "$1 is missing: install $2 (scripts/dev.sh test does)"
}

# A fresh temporary folder, removed when the check ends.
scratch=$(mktemp -d "${TMPDIR:-/tmp}/lockscope-packaging.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
