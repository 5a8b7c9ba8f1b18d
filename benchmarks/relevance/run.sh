#!/usr/bin/env bash
# run.sh: ranking quality in one command. Converts the judged collections
# of ../shared/judged (NPL, LISA, ADI), indexes each with morgue, Xapian and
# SQLite FTS5 (the benchmark programs, ../morgue_bench.c and ../peers/),
# asks every question as typed, keeps the top 1000, and prints trec_eval's
# MAP, nDCG@10, P@10 and recall@1000 per collection and engine, with the
# mean over the three collections. Then the Reuters-21578 check: the
# natural-language questions of questions.tsv judged by topic labels
# (P@10 as before, and the other measures beside it).
#
#   benchmarks/relevance/run.sh [--judged DIR] [--reuters DIR|none]
#                               [--build DIR] [--work DIR] [--per-query]
#
#   --judged   the judged collections (default ../shared/judged beside the
#              checkout)
#   --reuters  Reuters-21578 directory (default ../shared/corpora/
#              reuters21578); "none" skips the check
#   --build    a build directory holding benchmarks/ (default: configure
#              and build one, Release, in benchmarks/work/build)
#   --work     where collections, indexes and runs go (default
#              benchmarks/work/relevance)
#   --per-query  also print each engine's per-question figures
#
# Engines (nothing tuned to these collections): morgue's natural-language
# mode with its defaults (the environment variables MORGUE_BENCH_K1,
# MORGUE_BENCH_B, MORGUE_BENCH_TITLE_WEIGHT change them, for sensitivity
# runs); Xapian's QueryParser with the default operator OR, the English
# stemmer (STEM_SOME) and BM25Weight, and the same with the question
# lower-cased first (xapian-lc: STEM_SOME leaves capitalised words
# unstemmed, and all-capitals questions are common here); FTS5 with porter over unicode61,
# the question's words OR'ed, bm25() with the title weighted 10 (as in the
# speed benchmark; FTS5_BENCH_PLAIN_BM25=1 gives bm25() unweighted).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
judged=$root/../shared/judged
reuters=$root/../shared/corpora/reuters21578
build=
work=$here/../work/relevance
per=
die() { echo "relevance/run.sh: $*" >&2; exit 1; }
while [ $# -gt 0 ]; do
    case $1 in
    --judged) judged=${2:?}; shift 2 ;;
    --reuters) reuters=${2:?}; shift 2 ;;
    --build) build=${2:?}; shift 2 ;;
    --work) work=${2:?}; shift 2 ;;
    --per-query) per=--per-query; shift ;;
    -h|--help) sed -n '2,30p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option $1 (see --help)" ;;
    esac
done
[ -d "$judged" ] || die "no judged collections at $judged (--judged DIR)"
export LC_ALL=C
engines="morgue xapian xapian-lc fts5"
mkdir -p "$work"
work=$(cd "$work" && pwd)
log() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

if [ -z "$build" ]; then
    build=$here/../work/build
    log "building in $build"
    cmake -S "$root" -B "$build" -DMORGUE_BUILD_BENCH=ON \
        -DMORGUE_BUILD_TESTS=OFF -DCMAKE_BUILD_TYPE=Release \
        >"$work/cmake.log" 2>&1 ||
        { cat "$work/cmake.log" >&2; die "cmake configure failed"; }
    cmake --build "$build" -j2 --target prep_corpus morgue_bench \
        xapian_bench fts5_bench >"$work/build.log" 2>&1 ||
        { tail -40 "$work/build.log" >&2; die "build failed"; }
fi
bin=$build/benchmarks
load=$(cut -d' ' -f1-3 /proc/loadavg)

# Indexes docs.jsonl of $1 with every engine, ranks its questions, and
# appends "collection engine map ndcg10 p10 recall1000 queries" to
# $work/results.
measure() { # dir label
    local d=$1 label=$2
    for e in $engines; do
        local prog=${e%-lc} lower=
        [ "$e" = "$prog" ] || lower=1
        if [ -z "$lower" ]; then
            rm -rf "$d/db/$e"
            "$bin/${e}_bench" index "$d/docs.jsonl" "$d/db/$e" \
                --label "$label" >"$d/index.$e.csv" 2>"$d/index.$e.err" ||
                { cat "$d/index.$e.err" >&2
                  die "$e: indexing $label failed"; }
        fi
        XAPIAN_BENCH_LOWER=$lower "$bin/${prog}_bench" rank "$d/db/$prog" \
            "$d/questions.tsv" --depth 1000 \
            --label "$e" >"$d/run.$e" 2>"$d/rank.$e.err" ||
            { cat "$d/rank.$e.err" >&2; die "$e: ranking $label failed"; }
        local rejected
        rejected=$(grep -c 'rejected' "$d/rank.$e.err" || true)
        [ "$rejected" = 0 ] ||
            log "$e: $label: $rejected questions rejected (scored 0)"
        if [ -n "$per" ]; then
            bash "$here/eval.sh" "$d/qrels" "$d/run.$e" --per-query |
                sed '$d' | sort -n | sed "s/^/$label $e q/" >&2
        fi
        echo "$label $e $(bash "$here/eval.sh" "$d/qrels" "$d/run.$e")" \
            >>"$work/results"
    done
}

: >"$work/results"
for c in npl lisa adi; do
    log "$c"
    bash "$here/convert.sh" "$c" "$judged" "$work/$c"
    measure "$work/$c" "$c"
done

if [ "$reuters" != none ]; then
    [ -e "$reuters" ] || die "no Reuters-21578 at $reuters (--reuters none)"
    d=$work/reuters
    mkdir -p "$d"
    log "reuters"
    if [ ! -s "$d/docs.jsonl" ] || [ "$bin/prep_corpus" -nt "$d/docs.jsonl" ]
    then
        "$bin/prep_corpus" -o "$d/docs.jsonl.tmp" "$reuters"
        mv "$d/docs.jsonl.tmp" "$d/docs.jsonl"
    fi
    # Question i asks about topic i; an article carrying the topic is
    # relevant (the collection's editorial labels).
    grep -v '^#' "$here/questions.tsv" |
        awk -F'\t' '{ print NR "\t" $2 }' >"$d/questions.tsv"
    grep -v '^#' "$here/questions.tsv" | cut -f1 >"$d/topics"
    sed -E 's/^\{"id":"([^"]*)".*"tags":\[([^]]*)\].*/\1 \2/' \
        "$d/docs.jsonl" | tr -d '"' | tr ',' ' ' |
        awk -v T="$d/topics" '
            BEGIN { while ((getline t < T) > 0) want[t] = want[t] " " ++n }
            { for (i = 2; i <= NF; i++) if ($i in want) {
                  k = split(want[$i], q, " ")
                  for (j = 1; j <= k; j++) print q[j] " 0 " $1 " 1" } }' \
        >"$d/qrels"
    measure "$d" reuters
fi

awk -v load="$load" '
    { k = $1 SUBSEP $2; for (i = 3; i <= 6; i++) v[k, i] = $i
      if (!($1 in seenc)) { seenc[$1] = 1; cs[++nc] = $1 }
      if (!($2 in seene)) { seene[$2] = 1; es[++ne] = $2 }
      nq[$1] = $7 }
    END {
        printf "%-9s %-7s %7s %8s %7s %8s\n", "collection", "engine", "MAP",
               "nDCG@10", "P@10", "R@1000"
        for (c = 1; c <= nc; c++) {
            for (e = 1; e <= ne; e++) {
                k = cs[c] SUBSEP es[e]
                printf "%-10s %-7s %7.4f %8.4f %7.4f %8.4f\n", cs[c], es[e],
                       v[k, 3], v[k, 4], v[k, 5], v[k, 6]
                if (cs[c] != "reuters") for (i = 3; i <= 6; i++)
                    sum[es[e], i] += v[k, i]
            }
            printf "%-10s (%d questions)\n", "", nq[cs[c]]
        }
        for (e = 1; e <= ne; e++)
            printf "%-10s %-7s %7.4f %8.4f %7.4f %8.4f\n", "mean(3)", es[e],
                   sum[es[e], 3] / 3, sum[es[e], 4] / 3, sum[es[e], 5] / 3,
                   sum[es[e], 6] / 3
        printf "mean(3): NPL, LISA, ADI; reuters: topic labels, not human " \
               "judgements\nload average at start: %s\n", load
    }' "$work/results"
