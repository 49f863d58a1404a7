#!/usr/bin/env bash
# Bash completion, called as bash calls it (COMP_WORDS, COMP_CWORD): the
# subcommands, each one's options, folders, the stale lock `remove` can take
# and the audit id `restore` can take, on a store made here.
# shellcheck source=tests/packaging/common.sh
source "$(dirname "$0")/common.sh"

completion=$SOURCE_DIR/data/completion/lockscope
[ -f "$completion" ] || fail "no completion file $completion"

# A store in llxprt's default place under a private state folder, with one
# lock whose holder was killed outright: stale, and removable.
export HOME=$scratch/home XDG_STATE_HOME=$scratch/state LOCKSCOPE_AUDIT_LOG=$scratch/audit.jsonl
unset LLXPRT_LOG_HOME LLXPRT_CONFIG_HOME
project=$XDG_STATE_HOME/llxprt-code/tmp/$(printf '%064d' 7)
mkdir -p "$HOME" "$project"
id=0c0ffee0-1234-4abc-8def-0123456789ab
"$LOCKSCOPE" hold "$project/chats" "$id" >"$scratch/hold.out" &
holder=$!
for _ in $(seq 100); do
    [ -s "$scratch/hold.out" ] && break
    sleep 0.05
done
kill -KILL "$holder"
wait "$holder" 2>/dev/null || true
lock=$project/chats/$id.lock
[ -f "$lock" ] || fail "the holder left no lock: $(cat "$scratch/hold.out")"

# shellcheck source=/dev/null
source "$completion"
complete -p lockscope >/dev/null || fail "the file registers no completion for lockscope"

# complete_to WORD...: the suggestions for the last word, one a line.
complete_to()
{
    COMP_WORDS=("$LOCKSCOPE" "$@")
    COMP_CWORD=$#
    COMP_LINE="${COMP_WORDS[*]}"
    COMP_POINT=${#COMP_LINE}
    COMPREPLY=()
    _lockscope
    printf '%s\n' "${COMPREPLY[@]}"
}

# expect "LINE" "SUGGESTION..." [exactly]: completing at the end of LINE offers
# each suggestion (and, with exactly, nothing else).
expect()
{
    local line=$1 wanted=$2 exact=${3:-}
    local -a words
    read -r -a words <<<"$line"
    [[ -n $line && $line != *" " ]] || words+=("")
    local got
    got=$(complete_to "${words[@]}")
    for w in $wanted; do
        grep -qxF -- "$w" <<<"$got" || fail "'lockscope $line<TAB>' does not offer $w (got: $got)"
    done
    if [ -n "$exact" ]; then
        [ "$(sort <<<"$got" | xargs)" = "$(tr ' ' '\n' <<<"$wanted" | sort | xargs)" ] ||
            fail "'lockscope $line<TAB>' offers $(xargs <<<"$got"), wanted only $wanted"
    fi
    return 0
}

cd "$scratch" || fail "cannot enter $scratch"
expect "" "list clean remove hold restore audit help" exactly
expect "re" "remove restore" exactly
expect "-" "--demo --help -h --version" exactly
expect "list --" "--json --verbose --fail-on-stale --help" exactly
expect "list -" "-v --json --verbose --fail-on-stale --help" exactly
expect "clean -" "-n --dry-run --json --help" exactly
expect "remove --" "--force --json --help" exactly
expect "audit --" "--json --help" exactly
expect "list " "home state"
expect "remove " "$lock" exactly
expect "remove ${lock:0:20}" "$lock" exactly

"$LOCKSCOPE" clean >"$scratch/clean.out" || fail "clean failed: $(cat "$scratch/clean.out")"
[ ! -e "$lock" ] || fail "clean left the stale lock"
audit_id=$(grep -o '"id": *"[^"]*"' "$LOCKSCOPE_AUDIT_LOG" | head -n 1 | cut -d'"' -f4)
[ -n "$audit_id" ] || fail "no audit id in $LOCKSCOPE_AUDIT_LOG"
expect "restore " "$audit_id" exactly
expect "restore ${audit_id:0:4}" "$audit_id" exactly
expect "restore $audit_id " "" exactly
echo "ok: $completion"
