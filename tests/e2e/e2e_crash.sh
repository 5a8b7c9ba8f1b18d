#!/usr/bin/env bash
# Crash safety: a real `morgue index` over Reuters-21578 (small memory
# budget, so it commits and merges many times) is SIGKILLed at random
# moments, sometimes a `morgue compact` instead. After every kill the
# index passes `morgue check`, holds exactly the articles of the files its
# file table lists (the last commit, nothing partial, nothing twice), never
# fewer than before, and the next run carries on; a final run reaches all
# 21,578 articles and answers like an uninterrupted build.
# CRASH_POINTS (default 25) kills, within CRASH_SECONDS (default 70) once
# at least 10 are done; CRASH_SEED makes a run repeatable.
. "$(dirname "$0")/lib.sh"
R="$CORPORA/reuters21578"
[ -f "$R/reut2-000.sgm" ] || { echo "no Reuters corpus at $R: skipped"; exit 0; }
mkdir "$WORK/corpus"
for f in "$R"/reut2-*.sgm; do ln -s "$f" "$WORK/corpus/"; done
RANDOM=${CRASH_SEED:-$$}
echo "seed ${CRASH_SEED:-$$}"
points=${CRASH_POINTS:-25}
budget=${CRASH_SECONDS:-70}

# "documents file_articles" from morgue check, or "0 0" with no index yet
state() {
  if [ ! -f "$WORK/idx/MANIFEST" ]; then echo "0 0"; return; fi
  "$MORGUE" check --index "$WORK/idx" > "$WORK/check" 2>&1 ||
    fail "check after kill $1: $(cat "$WORK/check")"
  sed -E 's/^ok: [0-9]+ segments, ([0-9]+) articles.* files, ([0-9]+) articles;.*/\1 \2/' \
    "$WORK/check"
}

# a reference build, timed
start=$(date +%s.%N)
expect_status 0 "$MORGUE" index -q --memory 2 --index "$WORK/ref" "$WORK/corpus"
full=$(echo "$(date +%s.%N) - $start" | bc)
window=$(echo "if ($full < 4) $full else 4" | bc)
echo "uninterrupted run: ${full}s; kills within ${window}s of a start"

t0=$(date +%s)
prev=0 kills=0 compacts=0
for i in $(seq 1 "$points"); do
  if [ "$i" -gt 10 ] && [ $(( $(date +%s) - t0 )) -gt "$budget" ]; then break; fi
  if [ "$prev" = 21578 ]; then rm -rf "$WORK/idx"; prev=0; fi
  if [ $((i % 5)) = 0 ] && [ "$prev" -gt 0 ]; then
    "$MORGUE" compact --quiet --index "$WORK/idx" 2>/dev/null &
    compacts=$((compacts + 1))
  else
    "$MORGUE" index --quiet --memory 2 --index "$WORK/idx" "$WORK/corpus" \
      2>/dev/null &
  fi
  pid=$!
  sleep "$(echo "scale=3; $RANDOM * $window / 32767" | bc)"
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  kills=$((kills + 1))
  read -r docs listed <<< "$(state "$i")"
  [ "$docs" = "$listed" ] ||
    fail "kill $i: $docs articles but the file table lists $listed"
  [ "$docs" -ge "$prev" ] || fail "kill $i: $docs articles, $prev before"
  prev=$docs
done

# finish the job: every article, no leftover file, same answers
expect_status 0 "$MORGUE" index --memory 2 --index "$WORK/idx" "$WORK/corpus"
read -r docs listed <<< "$(state final)"
[ "$docs" = 21578 ] || fail "final run: $docs articles"
expect_status 0 "$MORGUE" compact --index "$WORK/idx"
expect_status 0 "$MORGUE" compact --index "$WORK/ref"
[ "$(ls "$WORK/idx" | wc -l)" = 5 ] || # LOCK MANIFEST seg, table, lookup
  fail "leftover files: $(ls "$WORK/idx" | tr '\n' ' ')"
# "score id" of every hit, sorted: documents may be numbered differently
hits() {
  "$MORGUE" search --index "$1" --json --no-snippets --limit 100000 "$2" |
    awk -F': ' '/"score":/ { s = $2 + 0 }
                /"id":/ { gsub(/[",]/, "", $2); printf "%.9f %s\n", s, $2 }' |
    sort
}
for q in "bundesbank interest rates" "coffee quotas brazil" "opec oil output"; do
  [ "$(hits "$WORK/idx" "$q")" = "$(hits "$WORK/ref" "$q")" ] ||
    fail "'$q' differs from an uninterrupted build"
done
echo "e2e_crash: ok: $kills kill points ($compacts during compaction)"
