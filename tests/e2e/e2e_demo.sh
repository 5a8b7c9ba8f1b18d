#!/usr/bin/env bash
# The README demo: index the bundled archive; the Almaty query's first hit
# is the Kazakhstan article, with highlighted words in its snippet.
. "$(dirname "$0")/lib.sh"
expect_status 0 "$MORGUE" index --index "$WORK/idx" "$SRC_DIR/examples/archive"
grep -q 'indexed [0-9]* articles' "$WORK/err" || fail "no summary"
expect_status 0 "$MORGUE" search --index "$WORK/idx" --json \
  "state of emergency Almaty"
first_title=$(grep -m1 '"title":' "$WORK/out")
echo "$first_title" | grep -qi 'almaty\|kazakh' ||
  fail "first hit is not the Kazakhstan article: $first_title"
grep -m1 '"snippet":' "$WORK/out" | grep -q '<b>' || fail "no highlight"
# every query in archive_expect.txt finds its article first
while IFS=$'\t' read -r query title; do
  [ -n "$query" ] || continue
  expect_status 0 "$MORGUE" search --index "$WORK/idx" --json --limit 1 \
    -- "$query"
  grep -m1 '"title":' "$WORK/out" | grep -qF "$title" ||
    fail "query '$query': first hit is not '$title'"
done < "$SRC_DIR/tests/data/archive_expect.txt"
# stats: dates span the archive's years
expect_status 0 "$MORGUE" stats --index "$WORK/idx" --json
[ "$(json_field documents "$WORK/out")" -ge 30 ] || fail "too few documents"
json_field first_date "$WORK/out" | grep -q '"2021' || fail "first date"
json_field last_date "$WORK/out" | grep -q '"2024' || fail "last date"
# the demo ends with the Kazakhstan timeline of scripts/demo.sh
cmd=$(grep -A1 'morgue timeline' "$SRC_DIR/scripts/demo.sh" | tail -n1 |
      sed 's/^ *//')
[ -n "$cmd" ] || fail "demo.sh has no timeline"
eval "expect_status 0 \"\$MORGUE\" timeline --index \"\$WORK/idx\" $cmd"
grep -q '^2022-01-03 .* Protests over doubled gas price' "$WORK/out" ||
  fail "timeline's first day: $(cat "$WORK/out")"
grep -q '^2022-01-05 *3 #* .*' "$WORK/out" || fail "timeline: the three copies"
[ "$(grep -c '^2022-01-' "$WORK/out")" -ge 6 ] || fail "timeline days"
grep -q '^2022-11' "$WORK/out" && fail "timeline outside --from/--to"
echo "e2e_demo: ok"
