#!/usr/bin/env bash
# What a hostile query or archive does to the morgue command: a NUL or
# invalid UTF-8 in a query is an error with its column (the JSON answer
# keeps its "query" field), control characters in file names are printed
# escaped, deep HTML keeps its text.
. "$(dirname "$0")/lib.sh"
mkdir -p "$WORK/in"
printf '{"id":"j1","title":"oil","body":"oil prices rose"}\n' > "$WORK/in/feed.jsonl"
expect_status 0 "$MORGUE" index --quiet --index "$WORK/idx" "$WORK/in"

# --batch: one answer per line, the NUL and the bad byte are errors that
# name their column; the good lines on either side still answer.
printf 'oil\nfoo\000bar oil\ncaf\351 oil\nprices\n' > "$WORK/queries"
expect_status 0 "$MORGUE" search --index "$WORK/idx" --batch < "$WORK/queries"
[ "$(wc -l < "$WORK/out")" -eq 4 ] || fail "batch: $(cat "$WORK/out")"
sed -n 2p "$WORK/out" | grep -q '"query":"foo\\u0000bar oil"' ||
  fail "NUL line lost its query: $(sed -n 2p "$WORK/out")"
sed -n 2p "$WORK/out" | grep -q '"error":"query error at column 4: NUL' ||
  fail "NUL line: $(sed -n 2p "$WORK/out")"
sed -n 3p "$WORK/out" | grep -q '"query":"caf' ||
  fail "invalid UTF-8 dropped the query field: $(sed -n 3p "$WORK/out")"
sed -n 3p "$WORK/out" | grep -q 'column 4: invalid UTF-8' ||
  fail "invalid UTF-8: $(sed -n 3p "$WORK/out")"
sed -n 4p "$WORK/out" | grep -q '"total":1' || fail "line after errors"
expect_status 2 "$MORGUE" search --index "$WORK/idx" "$(printf 'oil \377')"
grep -q 'column 5: invalid UTF-8' "$WORK/err" || fail "argv: $(cat "$WORK/err")"

# A file name carrying a newline and an escape sequence cannot forge a
# line of its own in the warnings.
evil="$WORK/in/$(printf 'x\nmorgue: forged\033[31m.jsonl')"
printf 'not json\n{"id":"e1","body":"tanker"}\n' > "$evil"
expect_status 3 "$MORGUE" index --index "$WORK/idx" "$WORK/in" # 3: a record skipped
grep -q '^morgue: forged' "$WORK/err" && fail "forged line: $(cat "$WORK/err")"
grep -q "$(printf '\033')" "$WORK/err" && fail "raw escape in messages"
grep -q 'x\\nmorgue: forged\\x1b\[31m.jsonl' "$WORK/err" ||
  fail "name not escaped: $(cat "$WORK/err")"
