#!/usr/bin/env bash
# The AppStream metadata validates offline, is about this application, and its
# newest release is the project's version.
# shellcheck source=tests/packaging/common.sh
source "$(dirname "$0")/common.sh"
need appstreamcli appstream

metainfo=$SOURCE_DIR/data/$APP_ID.metainfo.xml
[ -f "$metainfo" ] || fail "no metainfo $metainfo"
appstreamcli validate --no-net --explain "$metainfo" || fail "appstreamcli validate"

grep -q "<id>$APP_ID</id>" "$metainfo" || fail "<id> is not $APP_ID"
grep -q "<launchable type=\"desktop-id\">$APP_ID.desktop</launchable>" "$metainfo" ||
    fail "<launchable> does not name $APP_ID.desktop"
grep -q '<project_license>Apache-2.0</project_license>' "$metainfo" ||
    fail "project_license is not Apache-2.0"
newest=$(grep -o '<release version="[^"]*"' "$metainfo" | head -n 1 | cut -d'"' -f2)
[ "$newest" = "$VERSION" ] ||
    fail "the newest release is $newest, the project is $VERSION: add its release notes"
echo "ok: $metainfo"
