#!/usr/bin/env bash
# The launcher entry passes desktop-file-validate, names the icon by the
# application id and starts the binary the package installs.
# shellcheck source=tests/packaging/common.sh
source "$(dirname "$0")/common.sh"
need desktop-file-validate desktop-file-utils

entry=$SOURCE_DIR/data/$APP_ID.desktop
[ -f "$entry" ] || fail "no launcher entry $entry"
output=$(desktop-file-validate "$entry" 2>&1) || fail "desktop-file-validate: $output"
[ -z "$output" ] || fail "desktop-file-validate has remarks: $output"

grep -qx "Icon=$APP_ID" "$entry" || fail "Icon= is not $APP_ID"
grep -qx "Exec=lockscope" "$entry" || fail "Exec= does not start lockscope"
grep -qx "Exec=lockscope --demo" "$entry" || fail "no demo action"
echo "ok: $entry"
