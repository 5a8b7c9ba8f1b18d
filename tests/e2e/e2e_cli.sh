#!/usr/bin/env bash
# CLI contracts: exit statuses, skipped input, JSON keys, option errors.
. "$(dirname "$0")/lib.sh"
mkdir -p "$WORK/in/2022/01/06"
printf 'Title: Flood closes harbour\nDate: 2023-03-14\nSource: Harbour Courier\n\nWater rose over the quay.\n' \
  > "$WORK/in/flood.txt"
printf 'Harbour pilots strike\n\nPilots walked out at dawn.\n' \
  > "$WORK/in/2022/01/06/strike.txt"
: > "$WORK/in/empty.txt"
printf '\x00\x01\x02binary\x00\xff' > "$WORK/in/blob.bin"
printf '{"id": 1, "title": "Good line", "body": "harbour quay"}\n{not json\n' \
  > "$WORK/in/feed.jsonl"
# skipped input (binary file, bad JSON line): status 3, warnings named
expect_status 3 "$MORGUE" index --index "$WORK/idx" "$WORK/in"
grep -q 'feed.jsonl:2' "$WORK/err" || fail "bad JSON line not named"
grep -q 'blob.bin' "$WORK/err" || fail "binary file not named"
grep -q 'skipped 2' "$WORK/err" || fail "summary: $(cat "$WORK/err")"
expect_status 0 "$MORGUE" search --index "$WORK/idx" --json harbour
for key in query total hits rank score id title date source path snippet; do
  grep -q "\"$key\":" "$WORK/out" || fail "JSON key $key missing"
done
[ "$(json_field total "$WORK/out")" = 3 ] || fail "harbour total"
grep -q '"date": "2023-03-14"' "$WORK/out" || fail "header date"
grep -q '"date": "2022-01-06"' "$WORK/out" || fail "path date"
# MORGUE_INDEX is the default index
MORGUE_INDEX="$WORK/idx" expect_status 0 "$MORGUE" search quay
grep -q 'Flood closes harbour' "$WORK/out" || fail "MORGUE_INDEX not used"
# usage errors and missing index
expect_status 2 "$MORGUE" search --index "$WORK/idx"
expect_status 2 "$MORGUE" search --index "$WORK/idx" --limit x harbour
expect_status 2 "$MORGUE" frobnicate
expect_status 1 "$MORGUE" search --index "$WORK/none" harbour
expect_status 1 "$MORGUE" index --index "$WORK/idx2" "$WORK/missing"
expect_status 2 "$MORGUE" index --index "$WORK/idx3" --format nonsense "$WORK/in/flood.txt"
expect_status 1 "$MORGUE" index --index "$WORK/idx4" --lang klingon "$WORK/in/flood.txt"
expect_status 0 "$MORGUE" index --index "$WORK/idx5" --lang russian "$WORK/in/flood.txt"
expect_status 0 "$MORGUE" stats --index "$WORK/idx5" --json
grep -q '"language": "russian"' "$WORK/out" || fail "language not kept"
# --help everywhere
for c in index search stats; do expect_status 0 "$MORGUE" "$c" --help; done
echo "e2e_cli: ok"
