#!/usr/bin/env bash
# Output that fits where it goes (plain when piped, escapes on a terminal,
# --color, NO_COLOR, TERM=dumb), ids in the plain output, `morgue show`,
# delete by what search shows, commands that need an index, strict options.
. "$(dirname "$0")/lib.sh"
mkdir -p "$WORK/in"
printf 'Title: Flood "closes" harbour & quay\nDate: 2023-03-14\nSource: Harbour Courier\n\nWater <rose> over the "quay".\n' \
  > "$WORK/in/flood.txt"
printf '{"id": "w1", "url": "https://wire.example/1", "title": "Quay strike", "body": "Pilots left the quay & the harbour."}\n' \
  > "$WORK/in/feed.jsonl"
expect_status 0 "$MORGUE" index --index "$WORK/idx" "$WORK/in"
# piped: no markup, no entities, every hit's id
expect_status 0 "$MORGUE" search --index "$WORK/idx" quay
grep -q 'Water <rose> over the "quay"' "$WORK/out" || fail "piped snippet not plain: $(cat "$WORK/out")"
! grep -q '<b>\|&quot;\|&amp;\|'$'\033' "$WORK/out" || fail "markup in piped output"
grep -q "id: w1$" "$WORK/out" || fail "id of the JSON Lines hit"
grep -q "id: $WORK/in/flood.txt$" "$WORK/out" || fail "id of the text hit"
grep -q "url: https://wire.example/1$" "$WORK/out" || fail "url"
# --color always: bold and highlight escapes; never and NO_COLOR: none
expect_status 0 "$MORGUE" search --index "$WORK/idx" --color always quay
grep -q $'\033\\[1;31mquay\033\\[0m' "$WORK/out" || fail "no highlight escape"
expect_status 2 "$MORGUE" search --index "$WORK/idx" --color sometimes quay
grep -q 'auto, always or never' "$WORK/err" || fail "--color message"
if command -v script >/dev/null; then   # a real terminal (util-linux)
  script -qec "$MORGUE search --index $WORK/idx quay" /dev/null > "$WORK/tty"
  grep -q $'\033\\[1;31m' "$WORK/tty" || fail "no colour on a terminal"
  NO_COLOR=1 script -qec "$MORGUE search --index $WORK/idx quay" /dev/null > "$WORK/tty"
  ! grep -q $'\033' "$WORK/tty" || fail "NO_COLOR ignored"
  TERM=dumb script -qec "$MORGUE search --index $WORK/idx quay" /dev/null > "$WORK/tty"
  ! grep -q $'\033' "$WORK/tty" || fail "TERM=dumb ignored"
  script -qec "$MORGUE search --index $WORK/idx --color never quay" /dev/null > "$WORK/tty"
  ! grep -q $'\033' "$WORK/tty" || fail "--color never ignored"
fi
# JSON: HTML snippet as before; path is the file, url apart
expect_status 0 "$MORGUE" search --index "$WORK/idx" --json pilots
grep -q '"path": "'"$WORK"'/in/feed.jsonl"' "$WORK/out" || fail "JSON path is not the file"
grep -q '"url": "https://wire.example/1"' "$WORK/out" || fail "JSON url"
grep -q '<b>' "$WORK/out" || fail "JSON snippet lost its markup"
# show: by id, by URL, by path; JSON
expect_status 0 "$MORGUE" show --index "$WORK/idx" w1
grep -q '^Quay strike$' "$WORK/out" || fail "show title"
grep -q 'Pilots left the quay & the harbour.' "$WORK/out" || fail "show body"
grep -q "^file: *$WORK/in/feed.jsonl$" "$WORK/out" || fail "show file"
expect_status 0 "$MORGUE" show --index "$WORK/idx" https://wire.example/1
grep -q '^id: *w1$' "$WORK/out" || fail "show by URL"
expect_status 0 "$MORGUE" show --index "$WORK/idx" --json "$WORK/in/flood.txt"
grep -q '"body": "Water <rose> over the \\"quay\\"."' "$WORK/out" || fail "show --json body"
grep -q '"date": "2023-03-14"' "$WORK/out" || fail "show --json date"
expect_status 1 "$MORGUE" show --index "$WORK/idx" nothing-like-it
expect_status 2 "$MORGUE" show --index "$WORK/idx"
# delete takes what search shows: the URL
expect_status 0 "$MORGUE" delete --index "$WORK/idx" https://wire.example/1
expect_status 0 "$MORGUE" search --index "$WORK/idx" --json pilots
[ "$(json_field total "$WORK/out")" = 0 ] || fail "delete by URL"
expect_status 3 "$MORGUE" delete --index "$WORK/idx" https://wire.example/1
# readers, delete and compact never create an index; they say how
for cmd in "search x" "stats" "check" "show x" "delete x" "compact"; do
  expect_status 1 "$MORGUE" $cmd --index "$WORK/none"
  grep -q "morgue index --index $WORK/none" "$WORK/err" || fail "$cmd: no hint"
  [ ! -e "$WORK/none" ] || fail "$cmd created an index"
done
# strict option values: exit 2, one line
for bad in "index --wait abc" "index --memory -1" "delete --wait 1x y" \
           "compact --wait -3"; do
  expect_status 2 "$MORGUE" $bad --index "$WORK/idx"
  [ "$(wc -l < "$WORK/err")" = 1 ] || fail "$bad: $(cat "$WORK/err")"
done
echo ok
