#!/usr/bin/env bash
# The manual page formats without a warning and mentions every subcommand and
# option the command line's help lists, the short options, exit codes and
# environment variables docs/cli.md gives, and the files lockscope writes.
# shellcheck source=tests/packaging/common.sh
source "$(dirname "$0")/common.sh"
need groff groff-base

[ -f "$MANPAGE" ] || fail "no manual page at $MANPAGE"
warnings=$(groff -man -t -ww -z "$MANPAGE" 2>&1)
[ -z "$warnings" ] || fail "groff warns: $warnings"

# The page's text with groff's escaped hyphens as plain ones.
text=$(sed 's/\\-/-/g' "$MANPAGE")
mentions()
{
    grep -qF -- "$1" <<<"$text"
}

help=$("$LOCKSCOPE" --help)
subcommands=$(sed -n 's/^ *\(Usage:\)\{0,1\} *lockscope \([a-z][a-z-]*\).*/\2/p' <<<"$help" | sort -u)
[ "$(wc -l <<<"$subcommands")" -ge 6 ] || fail "found too few subcommands in --help: $subcommands"
options=$(grep -o -- '--[a-z][a-z-]*' <<<"$help" | sort -u)
short=$(grep -o -- '\[-[a-z]|' "$SOURCE_DIR/docs/cli.md" | tr -d '[|' | sort -u)
codes=$(sed -n 's/^| \([0-9][0-9]*\) |.*/\1/p' "$SOURCE_DIR/docs/cli.md")
variables=$(grep -o '\$[A-Z][A-Z_]*' "$SOURCE_DIR/docs/cli.md" | tr -d '$' | sort -u)

missing=()
for word in $subcommands; do
    grep -qx "\.B $word" <<<"$text" || missing+=("subcommand $word")
done
for option in $options $short; do
    mentions "$option" || missing+=("option $option")
done
for code in $codes; do
    sed -n '/^\.SH EXIT STATUS/,/^\.SH /p' <<<"$text" | grep -qx "\.B $code" ||
        missing+=("exit code $code")
done
for variable in $variables; do
    sed -n '/^\.SH ENVIRONMENT/,/^\.SH /p' <<<"$text" | grep -q "$variable" ||
        missing+=("environment variable $variable")
done
for file in audit.jsonl lockscope.conf; do
    sed -n '/^\.SH FILES/,/^\.SH /p' <<<"$text" | grep -qF "$file" || missing+=("file $file")
done
[ ${#missing[@]} -eq 0 ] || fail "the manual page does not mention: ${missing[*]}"
echo "ok: $(wc -w <<<"$subcommands $options $short $codes $variables") items in $MANPAGE"
