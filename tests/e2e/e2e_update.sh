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
echo "e2e_update: ok"
