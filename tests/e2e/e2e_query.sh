#!/usr/bin/env bash
# The search command's query features on the bundled archive: the query
# language, --any, --sort date, --from/--to, facets, --batch, snippets,
# errors with columns and exit status 2.
. "$(dirname "$0")/lib.sh"
expect_status 0 "$MORGUE" index --quiet --index "$WORK/idx" "$SRC_DIR/examples/archive"
S() { expect_status 0 "$MORGUE" search --index "$WORK/idx" --json "$@"; }

# phrase, boolean, fields, prefix, dates
S '"state of emergency" Almaty'
grep -m1 '"title":' "$WORK/out" | grep -q 'Kazakhstan' || fail "phrase query"
S 'title:almaty'
[ "$(json_field total "$WORK/out")" -ge 1 ] || fail "title field"
S 'kazakh*'
[ "$(json_field total "$WORK/out")" -ge 2 ] || fail "prefix"
S 'almaty -kazakhstan'
total_not=$(json_field total "$WORK/out")
S 'almaty'
[ "$(json_field total "$WORK/out")" -gt "$total_not" ] || fail "NOT excludes nothing"
S 'emergency date:2022-01'
grep '"date":' "$WORK/out" | grep -v '"2022-01-' && fail "date: filter leaked"
S --from 2022-01-01 --to 2022-01-31 emergency
grep '"date":' "$WORK/out" | grep -v '"2022-01-' && fail "--from/--to leaked"
S --any 'Bundesbank Eurovision Loreen'
[ "$(json_field total "$WORK/out")" -ge 1 ] || fail "--any"
grep -q '"total_exact": true' "$WORK/out" || fail "total_exact"
grep -q '"took_us": [0-9]' "$WORK/out" || fail "took_us"

# facets add up to the total; months in calendar order
S --facet month --facet source --limit 3 rates OR flood OR election
total=$(json_field total "$WORK/out")
sum=$(tr -d ' \n' < "$WORK/out" | grep -o '"month":\[[^]]*\]' |
      grep -o '"count":[0-9]*' | cut -d: -f2 | awk '{s+=$1} END {print s+0}')
[ "$sum" = "$total" ] || fail "month facet sums to $sum, total $total"
tr -d ' \n' < "$WORK/out" | grep -o '"month":\[[^]]*\]' |
  grep -o '"value":"[0-9-]*"' > "$WORK/months"
sort -c "$WORK/months" || fail "months not in calendar order"
grep -q '"source": \[' "$WORK/out" || fail "source facet"

# --count: the exact total alone (plain: the number; JSON: count, no hits)
S --limit 1 rates OR flood OR election
total=$(json_field total "$WORK/out")
expect_status 0 "$MORGUE" search --index "$WORK/idx" --count rates OR flood OR election
[ "$(cat "$WORK/out")" = "$total" ] || fail "--count: $(cat "$WORK/out"), total $total"
S --count rates OR flood OR election
[ "$(json_field count "$WORK/out")" = "$total" ] || fail "--count --json count"
tr -d ' \n' < "$WORK/out" | grep -q '"hits":\[\]' || fail "--count returned hits"

# newest first
S --sort date --limit 5 rates
grep '"date":' "$WORK/out" | cut -d'"' -f4 > "$WORK/dates"
sort -rc "$WORK/dates" || fail "--sort date is not newest first"

# snippets: highlight markers, none with --no-snippets
S --hl-open '[[' --hl-close ']]' emergencies
grep -q '\[\[[Ee]mergenc' "$WORK/out" || fail "custom markers"
S --no-snippets emergency
grep '"snippet":' "$WORK/out" | grep -qv '"snippet": ""' && fail "--no-snippets"

# batch: one JSON line per query line, errors reported in line
printf 'almaty\n\n"unclosed\nflood\n' |
  "$MORGUE" search --index "$WORK/idx" --batch --limit 2 > "$WORK/batch"
[ "$(wc -l < "$WORK/batch")" = 3 ] || fail "batch lines: $(cat "$WORK/batch")"
sed -n 2p "$WORK/batch" | grep -q '"error"' || fail "batch error line"
sed -n 3p "$WORK/batch" | grep -q '"query":"flood"' || fail "batch order"

# errors: exit 2 and a column
for q in '"unclosed' '(a b' 'NOT almaty' 'foo:bar' 'date:2022-13'; do
  expect_status 2 "$MORGUE" search --index "$WORK/idx" -- "$q"
  grep -q 'column' "$WORK/err" || fail "no column in error for $q"
done
# a query may start with '-' after --
expect_status 0 "$MORGUE" search --index "$WORK/idx" --json -- almaty -kazakhstan
echo "e2e_query: ok"
