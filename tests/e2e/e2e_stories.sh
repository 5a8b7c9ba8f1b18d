#!/usr/bin/env bash
# Stories on the bundled archive: morgue dups finds the three outlets'
# copies of one Kazakhstan report (JSON keys of the issue), search
# --collapse folds them ("duplicates", "stories", "+2 similar", total
# still every match), morgue similar leaves the article's copies out.
. "$(dirname "$0")/lib.sh"
M() { expect_status 0 "$MORGUE" "$@"; }
M index --quiet --index "$WORK/idx" "$SRC_DIR/examples/archive"
K="$SRC_DIR/examples/archive/text/2022/01/05"

M dups --index "$WORK/idx" --json
for k in '"articles": 53' '"clusters"' '"size": 3' '"ids"' '"titles"' \
         '"first_date": "2022-01-05"' '"last_date": "2022-01-05"'; do
  grep -q "$k" "$WORK/out" || fail "dups --json lacks $k"
done
grep -q 'kazakh-government-resigns' "$WORK/out" || fail "dups: wire report"
grep -q 'caspian-courier-cabinet-quits' "$WORK/out" || fail "dups: copy"
grep -q 'meridian-tokayev' "$WORK/out" || fail "dups: cut copy"
M dups --index "$WORK/idx"
grep -q '^1 cluster of near-duplicates among 53 articles' "$WORK/out" ||
  fail "dups text: $(head -1 "$WORK/out")"
M dups --index "$WORK/idx" --json --min-similarity 1
grep -q '"clusters": \[\]' "$WORK/out" || fail "no exact copies expected"
expect_status 2 "$MORGUE" dups --index "$WORK/idx" --min-similarity 0
grep -q 'min-similarity' "$WORK/err" || fail "bad threshold message"

M search --index "$WORK/idx" --json --collapse kazakhstan
[ "$(json_field total "$WORK/out")" = 9 ] || fail "total counts every match"
[ "$(json_field stories "$WORK/out")" = 7 ] || fail "stories"
grep -q '"duplicates": \[$' "$WORK/out" || fail "no folded hit"
[ "$(grep -c '"duplicates"' "$WORK/out")" = 7 ] || fail "duplicates per hit"
M search --index "$WORK/idx" --collapse kazakhstan
grep -q '^   +2 similar$' "$WORK/out" || fail "terminal +2 similar"
grep -q '9 articles match "kazakhstan", 7 stories' "$WORK/out" ||
  fail "text header"
M search --index "$WORK/idx" --json kazakhstan
grep -q '"stories"' "$WORK/out" && fail "stories without --collapse"
grep -q '"duplicates"' "$WORK/out" && fail "duplicates without --collapse"

M similar --index "$WORK/idx" --json --limit 20 "$K/kazakh-government-resigns-fuel-protests.txt"
grep -q '"hits"' "$WORK/out" || fail "similar JSON"
grep '"id"' "$WORK/out" | grep -q 'cabinet-quits\|meridian-tokayev\|government-resigns' &&
  fail "similar shows the article or its copies"
grep -m1 '"title"' "$WORK/out" | grep -qi 'kazakh\|tokayev\|almaty' ||
  fail "similar's first hit is off the story"
M similar --index "$WORK/idx" "$K/caspian-courier-cabinet-quits.txt"
grep -q '^1\. ' "$WORK/out" || fail "similar text"
expect_status 1 "$MORGUE" similar --index "$WORK/idx" no-such-article
expect_status 2 "$MORGUE" similar --index "$WORK/idx"
# timeline: JSON keys of the issue, periods in order, a bar per period
M timeline --index "$WORK/idx" --json kazakhstan
for k in '"query": "kazakhstan"' '"periods"' '"period": "2022-01-05"' \
         '"count": 3' '"stories"' '"title"' '"ids"' '"first_date"' \
         '"last_date"'; do
  grep -q "$k" "$WORK/out" || fail "timeline --json lacks $k"
done
M timeline --index "$WORK/idx" --by week kazakhstan
grep -q '^2022-01-03 *6 #' "$WORK/out" || fail "week of Monday 2022-01-03"
M timeline --index "$WORK/idx" --by month kazakhstan
grep -q '^2022-01 *8 ####################' "$WORK/out" || fail "month bar"
expect_status 2 "$MORGUE" timeline --index "$WORK/idx" --by year kazakhstan
expect_status 2 "$MORGUE" timeline --index "$WORK/idx" '"unclosed'

# relative dates and recency, with --now fixed
M search --index "$WORK/idx" --json --now 2022-01-07 'kazakhstan date:this-week'
[ "$(json_field total "$WORK/out")" = 6 ] || fail "date:this-week"
M search --index "$WORK/idx" --json --now 2022-01-07 --from last-3-days --to now kazakhstan
[ "$(json_field total "$WORK/out")" = 4 ] || fail "--from last-3-days"
M search --index "$WORK/idx" --json --now 2022-01-07 --from last-month kazakhstan
[ "$(json_field total "$WORK/out")" = 9 ] || fail "--from last-month"
M search --index "$WORK/idx" --json --now 2022-01-14 --recency 1d --limit 1 --to now kazakhstan
grep -m1 '"date"' "$WORK/out" | grep -q '2022-01-1[13]' || fail "recency: a recent one first"
M search --index "$WORK/idx" --json --limit 1 --to 2022-01-31 kazakhstan
# (which article matches "kazakhstan" best is the scorer's business: not
# the most recent one, as with --recency)
grep -m1 '"date"' "$WORK/out" | grep -q '2022-01-1[13]' &&
  fail "no recency: the best match first, not the newest"
expect_status 2 "$MORGUE" search --index "$WORK/idx" --recency soon kazakhstan
expect_status 2 "$MORGUE" search --index "$WORK/idx" --now someday kazakhstan
echo ok
