#!/usr/bin/env bash
# The rough edges a new user hits, on the bundled archive: field prefixes
# match field values, facet values as written, no index written into an
# archive, a skipped index folder said so, a wrong --format is status 3,
# one line per option or query error, one term count, empty months shown.
. "$(dirname "$0")/lib.sh"
cp -r "$SRC_DIR/examples/archive" "$WORK/arch"
S() { expect_status 0 "$MORGUE" search --index "$WORK/idx" --json --no-snippets "$@"; }
# an archive folder is not an index folder
expect_status 2 "$MORGUE" index --index "$WORK/arch" "$WORK/arch"
grep -q 'no morgue index' "$WORK/err" || fail "archive folder: $(cat "$WORK/err")"
[ ! -e "$WORK/arch/MANIFEST" ] && [ ! -e "$WORK/arch/LOCK" ] || fail "wrote into the archive"
# a run killed before its first commit leaves morgue's own files: not an archive
mkdir -p "$WORK/killed" && : > "$WORK/killed/LOCK" && : > "$WORK/killed/seg_0000000000000001.mseg"
expect_status 0 "$MORGUE" index --index "$WORK/killed" "$WORK/arch/text"
# an index inside the folder it indexes: skipped, and said
expect_status 0 "$MORGUE" index --index "$WORK/arch/.idx" "$WORK/arch"
grep -q 'is inside.*skipped' "$WORK/err" || fail "index inside not said"
expect_status 0 "$MORGUE" index --index "$WORK/idx" "$WORK/arch"
# field prefixes and phrases match whole values, not words of the text
S -- 'source:stepp*'
[ "$(json_field total "$WORK/out")" = 4 ] || fail "source:stepp* total $(json_field total "$WORK/out")"
! grep -q '"source": "[^S]' "$WORK/out" || fail "source:stepp* found other sources"
S -- 'source:"Steppe Daily"'
[ "$(json_field total "$WORK/out")" = 4 ] || fail "source phrase"
S -- 'source:steppe'
[ "$(json_field total "$WORK/out")" = 0 ] || fail "source:steppe is a whole value, not a word"
S -- 'tag:kazakh*'
[ "$(json_field total "$WORK/out")" -ge 1 ] || fail "tag prefix"
# facet values as written; an e-mail sender whole
S --facet source --facet tag -- 'state of emergency'
grep -q '"value": "Steppe Daily"' "$WORK/out" || fail "source facet case"
grep -q '"value": "Wendmoor County Council Communications <news@wendmoor.example>"' "$WORK/out" ||
  fail "e-mail sender mangled"
grep -q '"value": "Kazakhstan"' "$WORK/out" || fail "tag facet case"
# empty months are listed between the first and the last
S --facet month -- harbour
grep -q '"count": 0' "$WORK/out" || fail "no empty month listed"
expect_status 0 "$MORGUE" search --index "$WORK/idx" --facet month harbour
grep -q '^  2021-06 *0 *$' "$WORK/out" || fail "histogram hides the empty month"
# errors: one line, the column once, the '--' hint
expect_status 2 "$MORGUE" search --index "$WORK/idx" -- 'almaty "open'
[ "$(grep -o 'column' "$WORK/err" | wc -l)" = 1 ] || fail "column repeated: $(cat "$WORK/err")"
expect_status 2 "$MORGUE" search --index "$WORK/idx" fed -rates
[ "$(wc -l < "$WORK/err")" = 1 ] || fail "more than one line for -rates"
grep -q 'put\|needs -- before the query' "$WORK/err" || fail "no -- hint"
expect_status 2 "$MORGUE" search --index "$WORK/idx" --from 2024 --to 2022 x
[ "$(wc -l < "$WORK/err")" = 1 ] && grep -q 'after' "$WORK/err" || fail "--from after --to"
expect_status 2 "$MORGUE" search --index "$WORK/idx" --limit
grep -q "wants a value" "$WORK/err" || fail "missing value"
# a forced format that reads nothing is a warning and status 3
mkdir -p "$WORK/plain"; printf 'Just text\n\nNo SGML here.\n' > "$WORK/plain/a.txt"
expect_status 3 "$MORGUE" index --index "$WORK/idx2" --format reuters "$WORK/plain"
grep -q "no article read as format 'reuters'" "$WORK/err" || fail "format mismatch warning"
# one term count: stats and check agree
expect_status 0 "$MORGUE" stats --index "$WORK/idx" --json
terms=$(json_field terms "$WORK/out")
expect_status 0 "$MORGUE" check --index "$WORK/idx"
grep -q " $terms terms (distinct words)" "$WORK/out" || fail "check says $(cat "$WORK/out"), stats $terms"
# a file with no date is undated (not its copy time), last by date,
# outside date facets and the stats' range; --date-from-mtime dates it
mkdir -p "$WORK/nodate"
printf 'Harbour wombat survey\n\nThe wombat survey found the harbour calm.\n' > "$WORK/nodate/story.txt"
touch -d '2031-07-04 12:00' "$WORK/nodate/story.txt"
expect_status 0 "$MORGUE" index --index "$WORK/idx" "$WORK/nodate"
S -- wombat
grep -q '"date": null' "$WORK/out" || fail "undated article got a date"
S --sort date --limit 100 -- harbour
last=$(grep -o '"date": [^,]*' "$WORK/out" | tail -1)
[ "$last" = '"date": null' ] || fail "undated not last by date: $last"
S --facet year -- wombat
! grep -q '"2031"' "$WORK/out" || fail "undated in the date facet"
expect_status 0 "$MORGUE" stats --index "$WORK/idx" --json
! grep -q '2031' "$WORK/out" || fail "stats stretched to the mtime"
expect_status 0 "$MORGUE" search --index "$WORK/idx" wombat
grep -q 'undated' "$WORK/out" || fail "plain output does not say undated"
expect_status 0 "$MORGUE" index --index "$WORK/idx3" --date-from-mtime "$WORK/nodate"
expect_status 0 "$MORGUE" search --index "$WORK/idx3" --json wombat
grep -q '"date": "2031-07-04"' "$WORK/out" || fail "--date-from-mtime"
echo ok
