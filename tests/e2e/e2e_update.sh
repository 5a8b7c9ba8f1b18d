#!/usr/bin/env bash
# Update cycles through the CLI: files added, modified, deleted, renamed
# and a JSON Lines feed edited across runs; after each run the index
# answers like a fresh build of the same files, passes `morgue check`, and
# a rerun with nothing new says "nothing to do" and writes nothing. Then
# compaction gives the fresh build's exact scores; delete by id and path.
. "$(dirname "$0")/lib.sh"
S="$WORK/src"
mkdir -p "$S/a" "$S/b"
story() { printf 'Story %s\n\ncommon words w%s %s\n' "$1" "$1" "$2" > "$3"; }
for i in $(seq 1 20); do story "$i" v1 "$S/a/f$i.txt"; done
for i in $(seq 21 30); do story "$i" v1 "$S/b/f$i.txt"; done
for i in 1 2 3 4 5; do
  printf '{"id": "feed-%s", "title": "Feed %s", "body": "common feed v1"}\n' \
    "$i" "$i"
done > "$S/feed.jsonl"

# "score id" lines of every hit, sorted (scores rounded to 9 digits)
hits() {
  "$MORGUE" search --index "$1" --json --no-snippets --limit 100000 "$2" |
    awk -F': ' '/"score":/ { s = $2 + 0 }
                /"id":/ { gsub(/[",]/, "", $2); printf "%.9f %s\n", s, $2 }' |
    sort
}
ids() { hits "$1" "$2" | awk '{ print $2 }' | sort; }
docs() {
  "$MORGUE" stats --index "$1" --json > "$WORK/stats"
  json_field documents "$WORK/stats"
}
same_as_fresh() {
  rm -rf "$WORK/fresh"
  expect_status 0 "$MORGUE" index -q --index "$WORK/fresh" "$S"
  for q in common v1 v2 v3 feed story w7; do
    [ "$(ids "$WORK/idx" "$q")" = "$(ids "$WORK/fresh" "$q")" ] ||
      fail "cycle $1: '$q' differs from a fresh build"
  done
  [ "$(docs "$WORK/idx")" = "$(docs "$WORK/fresh")" ] ||
    fail "cycle $1: $(docs "$WORK/idx") documents, fresh $(docs "$WORK/fresh")"
  expect_status 0 "$MORGUE" check --index "$WORK/idx"
}

expect_status 0 "$MORGUE" index --index "$WORK/idx" "$S"
grep -q 'indexed 35 articles from 31 files' "$WORK/err" || fail "first run"
same_as_fresh 0
# nothing new: nothing written
before=$(stat -c '%i %Y' "$WORK/idx/MANIFEST")
listing=$(ls "$WORK/idx")
expect_status 0 "$MORGUE" index --index "$WORK/idx" "$S"
grep -q 'nothing to do: 31 files unchanged' "$WORK/err" ||
  fail "no-op rerun: $(cat "$WORK/err")"
[ "$before" = "$(stat -c '%i %Y' "$WORK/idx/MANIFEST")" ] || fail "MANIFEST rewritten"
[ "$listing" = "$(ls "$WORK/idx")" ] || fail "files changed on a no-op run"

for cycle in 1 2 3 4; do
  story 1 "v$((cycle + 1))" "$S/a/f1.txt"                    # modify
  rm -f "$S/a/f$((cycle + 1)).txt"                             # delete
  mv "$S/b/f$((20 + cycle)).txt" "$S/b/g$((20 + cycle)).txt"   # rename
  story "$((100 + cycle))" v3 "$S/a/n$cycle.txt"               # add
  printf '{"id": "feed-%s", "title": "Feed %s", "body": "common feed v%s"}\n' \
    2 2 "$((cycle + 1))" 9 9 v9 > "$S/feed2.tmp"
  head -n 1 "$S/feed2.tmp" >> "$S/feed.jsonl"                  # feed: replace
  rm "$S/feed2.tmp"
  touch "$S/a/f10.txt"                                         # touch only
  expect_status 0 "$MORGUE" index --index "$WORK/idx"          # recorded roots
  grep -q 'files: 2 new, 2 changed, 27 unchanged, 2 removed' "$WORK/err" ||
    fail "cycle $cycle: $(cat "$WORK/err")"
  same_as_fresh "$cycle"
done
[ "$(ids "$WORK/idx" 'feed')" = "$(printf 'feed-%s\n' 1 2 3 4 5)" ] ||
  fail "feed ids duplicated: $(ids "$WORK/idx" feed | tr '\n' ' ')"

# compaction: same documents and the scores of a compacted fresh build
# (the feed repeats ids, so even a fresh build holds replaced articles)
expect_status 0 "$MORGUE" compact --index "$WORK/idx"
expect_status 0 "$MORGUE" compact --index "$WORK/fresh"
expect_status 0 "$MORGUE" stats --index "$WORK/idx" --json
[ "$(json_field segments "$WORK/out")" = 1 ] || fail "compact: segments"
for q in common v3 "common words"; do
  [ "$(hits "$WORK/idx" "$q")" = "$(hits "$WORK/fresh" "$q")" ] ||
    fail "compacted scores for '$q' differ from a fresh build"
done
expect_status 0 "$MORGUE" check --index "$WORK/idx"

# delete by id, by path; unknown ones are reported (status 3)
n=$(docs "$WORK/idx")
expect_status 0 "$MORGUE" delete --index "$WORK/idx" feed-3
expect_status 3 "$MORGUE" delete --index "$WORK/idx" no-such-article
grep -q "no article with identity 'no-such-article'" "$WORK/err" || fail "delete msg"
expect_status 0 "$MORGUE" delete --index "$WORK/idx" --path "$S/b"
[ "$(docs "$WORK/idx")" = $((n - 1 - 10)) ] || fail "deletes: $(docs "$WORK/idx")"
expect_status 0 "$MORGUE" check --index "$WORK/idx"
# --rebuild starts afresh: the deleted folder comes back
expect_status 0 "$MORGUE" index --index "$WORK/idx" --rebuild "$S"
[ "$(docs "$WORK/idx")" = "$(docs "$WORK/fresh")" ] || fail "rebuild"
# a file of one record rewritten with other identities (and grown): read
# from its start as changed, so the old article goes (until 2026-12-02 it
# was read on from its one record's start, offset 0, and the old stayed)
mkdir -p "$WORK/one"
printf '{"id":"one-a","title":"Alpha","body":"zebraword"}\n' > "$WORK/one/f.jsonl"
expect_status 0 "$MORGUE" index --index "$WORK/oneidx" "$WORK/one"
printf '{"id":"one-b","title":"Beta","body":"yakword"}\n{"id":"one-c","title":"Gamma","body":"yakword"}\n' > "$WORK/one/f.jsonl"
expect_status 0 "$MORGUE" index --index "$WORK/oneidx" "$WORK/one"
[ "$(ids "$WORK/oneidx" zebraword | wc -l)" = 0 ] || fail "one-record file: old article kept"
[ "$(ids "$WORK/oneidx" yakword | wc -l)" = 2 ] || fail "one-record file: new articles"
# The last record of a feed rewritten: a complete read's resume point is
# the start of its last record, whose article the entry lists. Until
# 2026-12-02 a rerun read on from there whenever the bytes BEFORE it were
# as read, so the article of a replaced (or cut) last record stayed. Now
# the point records that record's bytes too: a rewrite there is a changed
# file, read from its start; a feed that grew is still read on.
rec() { printf '{"id":"%s","title":"T %s","body":"%s"}\n' "$1" "$1" "$2"; }
count() { "$MORGUE" search --index "$1" --count "$2"; }
# index_says IDX DIR: the run's summary lines (what it read, replaced)
index_says() { "$MORGUE" index --index "$1" "$2" 2>&1; }
last_case() { # name, then the new content on stdin
  rm -rf "$WORK/last-$1"; mkdir -p "$WORK/last-$1/d"
  { rec x1 keepword; rec a1 zebraword; } > "$WORK/last-$1/d/f.jsonl"
  expect_status 0 "$MORGUE" index -q --index "$WORK/last-$1/i" "$WORK/last-$1/d"
  cat > "$WORK/last-$1/d/f.jsonl"
  # (status 3 for the half record's warning)
  "$MORGUE" index -q --index "$WORK/last-$1/i" "$WORK/last-$1/d" 2>/dev/null ||
    [ $? = 3 ] || fail "last record $1: index failed"
  [ "$(count "$WORK/last-$1/i" zebraword)" = 0 ] ||
    fail "last record $1: the old article a1 stayed"
  [ "$(count "$WORK/last-$1/i" keepword)" = 1 ] || fail "last record $1: x1"
  expect_status 0 "$MORGUE" check --index "$WORK/last-$1/i"
}
{ rec x1 keepword; rec b1 yakword; rec b2 yakword; } | last_case replaced
[ "$(count "$WORK/last-replaced/i" yakword)" = 2 ] || fail "replaced: b1 b2"
# the same length of other bytes (a1 -> a2: the size is as recorded)
{ rec x1 keepword; rec a2 zebrawurd; } | last_case samelength
[ "$(count "$WORK/last-samelength/i" zebrawurd)" = 1 ] || fail "samelength: a2"
# cut inside the last record, or just before it
{ rec x1 keepword; printf '{"id":"a1","title":"T a1","bo'; } | last_case cut
rec x1 keepword | last_case cutbefore
# gzip: the offsets and bytes are the inflated content's
rm -rf "$WORK/last-gz"; mkdir -p "$WORK/last-gz/d"
{ rec x1 keepword; rec a1 zebraword; } | gzip -c > "$WORK/last-gz/d/f.jsonl.gz"
expect_status 0 "$MORGUE" index -q --index "$WORK/last-gz/i" "$WORK/last-gz/d"
{ rec x1 keepword; rec b1 yakword; rec b2 yakword; } | gzip -c > "$WORK/last-gz/d/f.jsonl.gz"
expect_status 0 "$MORGUE" index -q --index "$WORK/last-gz/i" "$WORK/last-gz/d"
[ "$(count "$WORK/last-gz/i" zebraword)" = 0 ] || fail "gzip: the old a1 stayed"
[ "$(count "$WORK/last-gz/i" yakword)" = 2 ] || fail "gzip: b1 b2"
# ...and a feed that grows is still read on from its last record (that
# article read again, replacing itself), not read whole: also when it
# ended in half a line that the next write completes
F="$WORK/last-replaced/d/f.jsonl"
rec b3 yakword >> "$F"
index_says "$WORK/last-replaced/i" "$WORK/last-replaced/d" > "$WORK/says"
grep -q "indexed 2 articles" "$WORK/says" && grep -q " 1 articles deleted or replaced" "$WORK/says" ||
  fail "a grown feed not read on: $(cat "$WORK/says")"
printf '{"id":"b4","ti' >> "$F"
"$MORGUE" index -q --index "$WORK/last-replaced/i" "$WORK/last-replaced/d" 2>/dev/null ||
  [ $? = 3 ] || fail "half line: index failed"
printf 'tle":"T b4","body":"yakword"}\n' >> "$F"
index_says "$WORK/last-replaced/i" "$WORK/last-replaced/d" > "$WORK/says"
grep -q "indexed 2 articles" "$WORK/says" && grep -q " 1 articles deleted or replaced" "$WORK/says" ||
  fail "a feed whose half line was completed not read on: $(cat "$WORK/says")"
[ "$(count "$WORK/last-replaced/i" yakword)" = 4 ] || fail "grown feed: b1-b4"
expect_status 0 "$MORGUE" check --index "$WORK/last-replaced/i"
echo "e2e_update: ok"
