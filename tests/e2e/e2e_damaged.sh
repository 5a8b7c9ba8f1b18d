#!/usr/bin/env bash
# A damaged column is an error, not a quiet wrong answer: one flipped byte
# in a segment's DATE column (verified when first read, docs/FORMAT.md
# "What is verified when"), then search, search --json, show and similar
# exit 1 naming the damage instead of printing hits as undated.
. "$(dirname "$0")/lib.sh"
mkdir -p "$WORK/in"
printf 'Title: Harbour flood\nDate: 2023-03-14\n\nWater rose over the harbour quay.\n' > "$WORK/in/a.txt"
printf 'Title: Harbour strike\nDate: 2023-04-02\n\nPilots left the harbour at dawn.\n' > "$WORK/in/b.txt"
expect_status 0 "$MORGUE" index --quiet --index "$WORK/idx" "$WORK/in"
expect_status 0 "$MORGUE" search --index "$WORK/idx" harbour
seg=$(find "$WORK/idx" -name '*.mseg' | head -1)
[ -n "$seg" ] || fail "no segment file"
# the directory entry: u32 tag "DATE", u32 0, u64 offset, u64 length
pos=$(LC_ALL=C grep -obUaP 'DATE\x00\x00\x00\x00' "$seg" | tail -1 | cut -d: -f1)
[ -n "$pos" ] || fail "no DATE section in $seg"
off=$(od -An -tu8 -j $((pos + 8)) -N8 "$seg" | tr -d ' ')
len=$(od -An -tu8 -j $((pos + 16)) -N8 "$seg" | tr -d ' ')
at=$((off + len - 3))
b=$(od -An -tu1 -j "$at" -N1 "$seg" | tr -d ' ')
printf "$(printf '\\%03o' $((b ^ 0x21)))" |
  dd of="$seg" bs=1 seek="$at" conv=notrunc status=none
expect_status 1 "$MORGUE" search --index "$WORK/idx" harbour
grep -qi 'checksum\|DATE' "$WORK/err" || fail "search: damage not named: $(cat "$WORK/err")"
expect_status 1 "$MORGUE" search --json --index "$WORK/idx" harbour
[ ! -s "$WORK/out" ] || fail "search --json printed an answer: $(cat "$WORK/out")"
expect_status 1 "$MORGUE" show --index "$WORK/idx" "$WORK/in/a.txt"
grep -qi 'checksum\|DATE' "$WORK/err" || fail "show: damage not named: $(cat "$WORK/err")"
expect_status 1 "$MORGUE" check --index "$WORK/idx"
echo "e2e_damaged: ok"
