#!/usr/bin/env bash
# Soak: update/merge cycles with random SIGKILLs, and a reader checking
# every answer against a model of what was committed. Each cycle changes
# the archive (a new file, a file rewritten with another version of its
# articles, a file deleted), runs `morgue index --memory 1` (a segment per
# few articles, so flushes, commits and merges happen all the time) or
# `morgue compact`, and kills it with SIGKILL after a random delay or lets
# it finish. Then `morgue check` must pass, and for every file the index
# must hold exactly one committed version of it: the one before the cycle
# or the one after (all of it, once: no lost, doubled or mixed article),
# and after a run that finished, the one after. A killed run may also
# have committed a checkpointed first part of a file that replaced no
# committed articles (a new file, or one read on from its last
# checkpoint): its first m articles, each once, m no lower than was
# committed of that version; never a part of a version that replaced
# another's committed articles (those go only with all of the new ones).
#
# Beside the files, a gzip feed grows every third cycle by a gzip member
# of 1,000-2,500 articles: long enough for the budget to flush (a checkpoint)
# inside it, so runs are killed inside it, and the next run reads it on
# from the last checkpoint. The index must then hold exactly its first m
# articles, each once, for an m no lower than before (nothing committed
# lost) and, after a run that finished, all of it.
#
# SOAK_CYCLES (default 100, about a minute here) and SOAK_SEED scale and
# vary it; SOAK_CYCLES=1000 is the long run.
. "$(dirname "$0")/lib.sh"
cycles=${SOAK_CYCLES:-100}
RANDOM=${SOAK_SEED:-10}
arch=$WORK/archive idx=$WORK/idx
mkdir -p "$arch"
nfiles=12
# ver/cnt: what the archive holds; com_ver/com_cnt: what the index was
# last seen to hold (com_cnt of version com_ver's articles: all of them,
# or its first com_cnt, a checkpoint's). Version 0: no such file.
declare -a ver cnt com_ver com_cnt

write_file() { # k v n
  local k=$1 v=$2 n=$3 j
  : > "$arch/f$k.jsonl.tmp"
  for ((j = 0; j < n; j++)); do
    printf '{"id":"f%d-%d","title":"f%d v%d item %d","body":"filetok%d ver%dx%d soakword item%d"}\n' \
      "$k" "$j" "$k" "$v" "$j" "$k" "$k" "$v" "$j" >> "$arch/f$k.jsonl.tmp"
  done
  mv "$arch/f$k.jsonl.tmp" "$arch/f$k.jsonl"
}

feed=$arch/feed.jsonl.gz ftot=0 fcom=0 inside=0
# SOAK_FEED=0 leaves the feed out. Until 2026-12-02 a killed run often
# left fewer feed articles than were committed: a run that found the feed
# unchanged (touched) cleared its resume point, the next run read the
# grown feed from its start as a changed file, and its first checkpoint
# committed the deletion of the old articles with only the first part of
# the new read (issue 10; check_hostile's touched/changed-file tests).
feed_on=${SOAK_FEED:-1}
# 48 words common to all (postings fill the budget, the dictionary stays
# small, so check and compact stay quick)
feedwords=$(for w in tanker freight crude grain wheat port ship cargo; do
  for v in a b c d e f; do printf '%s%s ' "$w" "$v"; done; done)
grow_feed() { # n: appends articles ftot+1..ftot+n as a gzip member
  seq $((ftot + 1)) $((ftot + $1)) |
    sed "s/.*/{\"id\":\"feed-&\",\"title\":\"feed item &\",\"body\":\"feedtok fseq& $feedwords\"}/" |
    gzip -1 >> "$feed"
  ftot=$((ftot + $1))
}

# hits QUERY...: one total per query, from one searcher (--batch),
# counted exactly (--count: not a lower bound from top-k pruning).
hits() {
  printf '%s\n' "$@" | "$MORGUE" search --index "$idx" --batch --count \
    > "$WORK/batch" || fail "search --batch failed"
  grep -o '"total":[0-9]*\|"error":"[^"]*"' "$WORK/batch" | sed 's/"total"://'
}

for ((k = 0; k < nfiles; k++)); do ver[k]=0; cnt[k]=0; com_ver[k]=0; com_cnt[k]=0; done
kills=0 finished=0 prefixes=0
for ((c = 1; c <= cycles; c++)); do
  compact=0
  [ $((c % 9)) -eq 0 ] && [ -f "$idx/MANIFEST" ] && compact=1
  # change one or two files (not before a compact: it reads no archive)
  for ((t = 0; t < (1 - compact) * (1 + RANDOM % 2); t++)); do
    k=$((RANDOM % nfiles))
    if [ "${ver[k]}" -gt 0 ] && [ $((RANDOM % 4)) -eq 0 ]; then
      rm -f "$arch/f$k.jsonl"; ver[k]=0; cnt[k]=0
    else
      ver[k]=$((c * 10 + t)); cnt[k]=$((1 + RANDOM % 40))
      write_file "$k" "${ver[k]}" "${cnt[k]}"
    fi
  done
  # the feed grows every third cycle (it is the costly part: a run reads
  # it on, check reads all of it; ASan CI)
  grew=0
  if [ "$feed_on" = 1 ] && [ "$compact" -eq 0 ] && [ $((c % 3)) -eq 1 ]; then
    grow_feed $((1000 + RANDOM % 1501)); grew=1
  fi
  if [ "$compact" -eq 1 ]; then
    cmd=("$MORGUE" compact --index "$idx")
  else
    cmd=("$MORGUE" index --quiet --memory 1 --index "$idx" "$arch")
  fi
  man0=$(stat -c %i "$idx/MANIFEST" 2>/dev/null || echo none)
  "${cmd[@]}" > "$WORK/run.out" 2>&1 &
  pid=$!
  # kill two runs in three, not the first two: the feed read whole from
  # its start (its content hash known), then found unchanged, which is
  # where the loss of 2026-12-02 began (that run dropped its resume point;
  # the next read the grown feed from its start and committed the old
  # articles' deletion at its first checkpoint: seed 52 failed at cycle 4)
  if [ "$c" -gt 2 ] && [ $((RANDOM % 3)) -ne 0 ]; then
    if [ "$grew" -eq 1 ] && [ $((RANDOM % 2)) -eq 0 ]; then
      # after the run's first commit (MANIFEST replaced), whatever the
      # load: mostly a checkpoint inside the feed (the small files come
      # first and seldom fill the budget)
      while kill -0 "$pid" 2>/dev/null &&
            [ "$(stat -c %i "$idx/MANIFEST" 2>/dev/null || echo none)" = "$man0" ]; do
        sleep 0.01
      done
      sleep "0.0$(printf '%02d' $((RANDOM % 100)))"
    else
      # (up to 0.4 s when the feed grew: late enough, often, to land
      # inside it)
      sleep "0.$(printf '%03d' $((RANDOM % (150 + 250 * grew))))"
    fi
    kill -9 "$pid" 2>/dev/null && kills=$((kills + 1))
  fi
  set +e; wait "$pid"; st=$?; set -e
  done_run=0
  if [ "$st" -eq 0 ] || [ "$st" -eq 3 ]; then
    finished=$((finished + 1)); done_run=$((1 - compact))
  elif [ "$st" -ne 137 ]; then cat "$WORK/run.out" >&2; fail "cycle $c: ${cmd[*]} exited $st"; fi
  [ -f "$idx/MANIFEST" ] || continue
  expect_status 0 "$MORGUE" check --index "$idx"
  # one query pair per file: all its articles, and those of each version
  qs=()
  for ((k = 0; k < nfiles; k++)); do
    qs+=("filetok$k" "ver${k}x${com_ver[k]}" "ver${k}x${ver[k]}")
  done
  # the feed: its first m articles (m from the count), each once
  mapfile -t fm < <(hits feedtok)
  m=${fm[0]}
  qs+=("fseq$m" "fseq$((m + 1))")
  mapfile -t got < <(hits "${qs[@]}")
  [ "${#got[@]}" -eq $((3 * nfiles + 2)) ] || fail "cycle $c: answers: ${got[*]}"
  want_last=1; [ "$m" -eq 0 ] && want_last=0
  [ "${got[3 * nfiles]}" = "$want_last" ] && [ "${got[3 * nfiles + 1]}" = 0 ] ||
    fail "cycle $c: the feed's $m articles are not its first $m (fseq$m: ${got[3 * nfiles]}, fseq$((m + 1)): ${got[3 * nfiles + 1]})"
  [ "$m" -ge "$fcom" ] && [ "$m" -le "$ftot" ] ||
    fail "cycle $c: the feed has $m articles; committed was $fcom, it holds $ftot"
  [ "$done_run" -eq 1 ] && [ "$m" -ne "$ftot" ] &&
    fail "cycle $c: a finished run left $m of the feed's $ftot articles"
  [ "$m" -gt "$fcom" ] && [ "$m" -lt "$ftot" ] && inside=$((inside + 1))
  fcom=$m
  for ((k = 0; k < nfiles; k++)); do
    all=${got[3 * k]} o=${got[3 * k + 1]} n=${got[3 * k + 2]}
    [ "${com_ver[k]}" -eq 0 ] && o=0
    [ "${ver[k]}" -eq 0 ] && n=0
    if [ "$all" = "${cnt[k]}" ] && [ "$n" = "${cnt[k]}" ]; then
      com_ver[k]=${ver[k]}; com_cnt[k]=${cnt[k]} # the archive's, whole
      continue
    fi
    if [ "$done_run" -eq 0 ] && [ "$all" = "${com_cnt[k]}" ] &&
       [ "$o" = "${com_cnt[k]}" ]; then
      continue # the kill came first: still the last committed one
    fi
    # killed after a checkpoint inside the archive's version: its first
    # $all articles, only when that replaced nothing committed (nothing,
    # or fewer of the same version) and they are its first ones
    if [ "$done_run" -eq 0 ] && [ "${ver[k]}" -gt 0 ] && [ "$n" = "$all" ] &&
       [ "$all" -gt 0 ] && [ "$all" -lt "${cnt[k]}" ] &&
       { [ "${com_cnt[k]}" -eq 0 ] ||
         { [ "${com_ver[k]}" -eq "${ver[k]}" ] && [ "$all" -ge "${com_cnt[k]}" ]; }; }; then
      mapfile -t pre < <(hits "ver${k}x${ver[k]} item$((all - 1))" "ver${k}x${ver[k]} item$all")
      if [ "${pre[0]}" = 1 ] && [ "${pre[1]}" = 0 ]; then
        com_ver[k]=${ver[k]}; com_cnt[k]=$all; prefixes=$((prefixes + 1))
        continue
      fi
    fi
    fail "cycle $c file f$k: $all articles ($o of v${com_ver[k]}, $n of v${ver[k]}); committed was ${com_cnt[k]} of v${com_ver[k]}, asked ${cnt[k]} of v${ver[k]} (run status $st)"
  done
done
# A last run that finishes: the index is the archive, exactly.
expect_status 0 "$MORGUE" index --quiet --index "$idx" "$arch"
expect_status 0 "$MORGUE" check --index "$idx"
total=0; for ((k = 0; k < nfiles; k++)); do total=$((total + cnt[k])); done
[ "$(hits soakword)" = "$total" ] || fail "end: $(hits soakword) articles, model $total"
[ "$(hits feedtok)" = "$ftot" ] || fail "end: $(hits feedtok) feed articles, model $ftot"
echo "soak: $cycles cycles, $kills killed, $finished finished, $total articles at the end; the feed $ftot articles, $inside runs killed inside it after a checkpoint; $prefixes files left a checkpointed first part"
