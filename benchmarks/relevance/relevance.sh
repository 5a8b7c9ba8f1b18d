#!/usr/bin/env bash
# Ranking quality: natural-language questions, ranked by any word (OR) in
# each engine, judged by the Reuters-21578 topic labels. Prints precision
# at 10 per question and its mean for morgue, Xapian and FTS5.
#
#   benchmarks/relevance/relevance.sh BUILD_DIR DB_ROOT CORPUS.jsonl
#
# BUILD_DIR holds the bench programs (benchmarks/run.sh builds them);
# DB_ROOT/{morgue,xapian,fts5} are their 1x indexes; CORPUS.jsonl is the
# converted Reuters corpus (ids and topic tags). Defaults: run.sh's paths.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../work/build/benchmarks}
dbs=${2:-$here/../work/db/1x}
corpus=${3:-$here/../work/reuters.jsonl}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

grep -v '^#' "$here/questions.tsv" > "$work/q"
cut -f1 "$work/q" > "$work/topics"
cut -f2 "$work/q" | awk '{print "or\t" $0 "\t"}' > "$work/queries.tsv"
# id -> tags, from the corpus (one JSON object a line; no jq needed)
sed -E 's/^\{"id":"([^"]*)".*"tags":\[([^]]*)\].*/\1 \2/' "$corpus" |
  tr -d '"' > "$work/tags"

for engine in morgue xapian fts5; do
  "$build/${engine}_bench" query "$dbs/$engine" "$work/queries.tsv" \
    --reps 1 --top "$work/top.$engine" > /dev/null 2>&1 ||
    { echo "relevance: $engine failed" >&2; exit 1; }
done

awk -v topics="$work/topics" -v tags="$work/tags" '
  BEGIN {
    n = 0; while ((getline t < topics) > 0) topic[n++] = t
    while ((getline l < tags) > 0) {
      split(l, f, " "); id = f[1]; sub(/^[^ ]* ?/, "", l); tagl[id] = "," l ","
    }
  }
  FNR == 1 { e = FILENAME; sub(/.*top\./, "", e); engines[e] = 1 }
  {
    # a --top line: query index, class, query text, then the top 10 ids
    q = $1; got = 0
    np = split($0, parts, "\t"); m = split(parts[np], ids, " ")
    for (i = 1; i <= m && i <= 10; i++)
      if (index(tagl[ids[i]], "," topic[q] ",")) got++
    p[e, q] = got / 10; sum[e] += got / 10; cnt[e]++
  }
  END {
    printf "%-10s %7s %7s %7s\n", "topic", "morgue", "xapian", "fts5"
    for (q = 0; q < n; q++)
      printf "%-10s %7.2f %7.2f %7.2f\n", topic[q], p["morgue", q], \
             p["xapian", q], p["fts5", q]
    printf "%-10s %7.3f %7.3f %7.3f\n", "mean P@10", sum["morgue"] / n, \
           sum["xapian"] / n, sum["fts5"] / n
  }' "$work/top.morgue" "$work/top.xapian" "$work/top.fts5"
