#!/usr/bin/env bash
# All of Reuters-21578: 21,578 articles, 1987 dates, known answers.
. "$(dirname "$0")/lib.sh"
R="$CORPORA/reuters21578"
[ -f "$R/reut2-000.sgm" ] || { echo "no Reuters corpus at $R: skipped"; exit 0; }
expect_status 0 "$MORGUE" index --index "$WORK/idx" "$R"/reut2-*.sgm
expect_status 0 "$MORGUE" stats --index "$WORK/idx" --json
[ "$(json_field documents "$WORK/out")" = 21578 ] ||
  fail "documents: $(json_field documents "$WORK/out")"
[ "$(json_field first_date "$WORK/out")" = '"1987-02-26"' ] || fail "first date"
[ "$(json_field last_date "$WORK/out")" = '"1987-10-20"' ] || fail "last date"
# NEWID 12793 has an empty text but is there, with its id
expect_status 0 "$MORGUE" search --index "$WORK/idx" --json --limit 3 \
  bundesbank interest rates
[ "$(json_field total "$WORK/out")" -gt 10 ] || fail "bundesbank total"
grep -m1 '"title":' "$WORK/out" | grep -qi 'bundesbank' ||
  fail "bundesbank query: $(grep -m1 '"title":' "$WORK/out")"
expect_status 0 "$MORGUE" search --index "$WORK/idx" --json --limit 1 \
  coffee quotas brazil
grep -m1 '"title":' "$WORK/out" | grep -qi 'coffee' || fail "coffee query"
expect_status 0 "$MORGUE" search --index "$WORK/idx" --json --limit 1 \
  opec oil output
grep -m1 '"title":' "$WORK/out" | grep -qi 'opec\|oil' || fail "opec query"
# a word no article holds
expect_status 0 "$MORGUE" search --index "$WORK/idx" --json zzyzxq
[ "$(json_field total "$WORK/out")" = 0 ] || fail "zzyzxq total"
# a small memory budget flushes many segments; answers do not change
expect_status 0 "$MORGUE" index --index "$WORK/small" --memory 1 "$R"/reut2-*.sgm
expect_status 0 "$MORGUE" stats --index "$WORK/small" --json
[ "$(json_field documents "$WORK/out")" = 21578 ] || fail "budget: documents"
[ "$(json_field segments "$WORK/out")" -gt 2 ] || fail "budget: no flush"
for q in "bundesbank interest rates" "coffee quotas brazil" "opec oil output"; do
  "$MORGUE" search --index "$WORK/idx" --json --no-snippets $q |
    grep -E '"(id|total)"' > "$WORK/one"
  "$MORGUE" search --index "$WORK/small" --json --no-snippets $q |
    grep -E '"(id|total)"' > "$WORK/many"
  cmp -s "$WORK/one" "$WORK/many" || fail "segmented index answers '$q' differently"
done
echo "e2e_reuters: ok"
