#!/usr/bin/env bash
# Dates keep the UTC offset the article gave (tests/data/offsets: one
# article at 2022-05-15 01:20 +02:00, i.e. 2022-05-14 23:20 UTC, in each
# input format): it is shown on its own calendar day with its offset,
# date:, --from/--to, the day facet, the timeline, dups and stats use that
# day, and --sort date still orders by the instant. Relative dates take
# today in the local zone (TZ, POSIX strings: no tzdata needed).
. "$(dirname "$0")/lib.sh"
D="$SRC_DIR/tests/data/offsets"
expect_status 0 "$MORGUE" index --index "$WORK/idx" --quiet "$D"
m() { "$MORGUE" "$1" --index "$WORK/idx" "${@:2}"; }
ids() { grep -o '"id": "[^"]*"' | sed 's/"id": //' | tr -d '"' | sort | tr '\n' ' '; }
want15="$D/kurultai.html $D/kurultai.txt <kurultai-1@steppemail.example> kj-1 kj-2 "
# found IDS COMMAND...: the command's JSON gives exactly these ids
found() {
  local want=$1 got
  shift
  got=$("$@" | ids)
  [ "$got" = "$want" ] || fail "$*: '$got', not '$want'"
}
# date: is the article's own day: the +02:00 ones (mail, JSON Lines, HTML,
# text) and the UTC one are on the 15th; the -05:00 one on the 14th
found "$want15" m search --json --limit 50 kurultai date:2022-05-15
found "kj-3 " m search --json 'date:2022-05-14'
found "$want15" m search --json --limit 50 --from 2022-05-15 --to 2022-05-15 kurultai
found "kj-3 " m search --json --from 2022-05-14 --to 2022-05-14 kurultai
# Reuters: a zone after the time is read; without one the day is UTC
found "9001 9002 " m search --json 'date:1987-05-15'
# shown: the own day and the offset, plain and JSON
m show --json '<kurultai-1@steppemail.example>' > "$WORK/j"
grep -q '"date": "2022-05-15"' "$WORK/j" || fail "JSON date: $(cat "$WORK/j")"
grep -q '"datetime": "2022-05-15T01:20:00+02:00"' "$WORK/j" || fail "JSON datetime"
grep -q '"utc_offset": 120' "$WORK/j" || fail "JSON utc_offset"
m search --json 'date:1987-05-15' kurultai zone > "$WORK/j"
grep -q '"datetime": "1987-05-15T01:20:00Z"' "$WORK/j" || fail "no zone: UTC, Z"
grep -q '"utc_offset": null' "$WORK/j" || fail "no zone: null offset"
m search --color never kurultai title:mail > "$WORK/p"
grep -q '2022-05-15 01:20 +02:00 · Steppe Mail Desk' "$WORK/p" || fail "plain date: $(cat "$WORK/p")"
m show --color never kj-3 > "$WORK/p"
grep -q 'date: *2022-05-14 22:00 -05:00' "$WORK/p" || fail "show date: $(cat "$WORK/p")"
# the day facet counts own days
m search --json --facet day kurultai date:2022 > "$WORK/j"
tr -d ' \n' < "$WORK/j" | grep -q '"value":"2022-05-14","count":1}' || fail "facet 14th"
tr -d ' \n' < "$WORK/j" | grep -q '"value":"2022-05-15","count":5}' || fail "facet 15th: $(cat "$WORK/j")"
# the timeline's periods too
m timeline --json --by day kurultai date:2022 > "$WORK/j"
tr -d ' \n' < "$WORK/j" | grep -q '"period":"2022-05-14","count":1' || fail "timeline 14th"
tr -d ' \n' < "$WORK/j" | grep -q '"period":"2022-05-15","count":5' || fail "timeline 15th: $(cat "$WORK/j")"
# sorting by date is by the instant: kj-3 (03:00 UTC on the 15th) and
# kj-2 (00:30 UTC) before the +02:00 ones (23:20 UTC on the 14th)
first=$(m search --json --sort date --limit 2 kurultai date:2022 | ids)
[ "$first" = "kj-2 kj-3 " ] || fail "sort by date: $first"
# dups: the cluster of the two +02:00 copies (23:20 UTC on the 14th) is
# dated by their own day, plain and JSON
m dups --json > "$WORK/j"
tr -d ' \n' < "$WORK/j" | grep -q '"first_date":"2022-05-15","last_date":"2022-05-15"' ||
  fail "dups JSON dates: $(cat "$WORK/j")"
grep -q '2 articles, 2022-05-15 \.\. 2022-05-15' <(m dups) || fail "dups plain: $(m dups)"
# stats: the date range is on the articles' own days too (an index of the
# mail alone: 2022-05-14 in UTC)
expect_status 0 "$MORGUE" index --index "$WORK/mail" --quiet "$D/kurultai.eml"
"$MORGUE" stats --index "$WORK/mail" > "$WORK/p"
grep -q '^dates: *2022-05-15 \.\. 2022-05-15$' "$WORK/p" || fail "stats plain: $(cat "$WORK/p")"
"$MORGUE" stats --index "$WORK/mail" --json | tr -d ' \n' > "$WORK/j"
grep -q '"first_date":"2022-05-15","last_date":"2022-05-15"' "$WORK/j" ||
  fail "stats JSON: $(cat "$WORK/j")"
# relative dates: today is now's day in the local zone (TZ). 23:30 UTC on
# the 14th is the 14th in UTC, the 15th in Tokyo (+09:00)
rel() { TZ="$1" "$MORGUE" search --index "$WORK/idx" --json --limit 50 \
          --now "$2" "${@:3}"; }
found "kj-3 " rel UTC0 2022-05-14T23:30:00Z kurultai date:today
found "$want15" rel JST-9 2022-05-14T23:30:00Z kurultai date:today
found "$want15" rel JST-9 2022-05-15T16:00:00Z --from yesterday --to yesterday kurultai
found "kj-3 " rel EST5 2022-05-15T02:00:00Z --from today --to today kurultai
# a bare --now day is that day whatever TZ is
for z in UTC0 JST-9 EST5 KIT-14 XYZ11; do
  found "$want15" rel $z 2022-05-15 kurultai date:today
  found "kj-3 " rel $z 2022-05-15 kurultai date:yesterday
done
# check agrees the column is valid; a merge keeps it
expect_status 0 "$MORGUE" compact --index "$WORK/idx"
expect_status 0 "$MORGUE" check --index "$WORK/idx"
found "kj-3 " m search --json 'date:2022-05-14'
echo ok
