#!/usr/bin/env bash
# run.sh: the whole benchmark in one command: build, prepare the corpora
# and queries, run every engine on every size, write results/.
#
#   benchmarks/run.sh [--sizes 1,10,50] [--smoke] [--corpus PATH]
#                     [--engines morgue,xapian,fts5] [--reps N] [--out DIR]
#                     [--keep] [--index-only] [--cold-runs N] [--append]
#                     [--lock FILE]
#
#   --sizes    corpus sizes in multiples of Reuters-21578 (default 1,10);
#              1 is the real corpus, the others synthetic (synth_corpus.c)
#   --smoke    300 articles, sizes 1 and 2, 3 queries a class, one timed
#              pass: checks that everything runs (CI), in seconds; results
#              go to work/smoke-results unless --out is given
#   --corpus   Reuters-21578 directory or reut2-*.sgm file
#              (default ../shared/corpora/reuters21578 beside the checkout)
#   --engines  which engines to run (default all three; "cluster" adds
#              morgue on a 2-shard Sphinx cluster on this machine, see
#              docs/CLUSTER.md; its searchd use ports from
#              $MORGUE_BENCH_PORT, default 19700; with it, the local
#              morgue index is stemmed in English as the cluster is,
#              MORGUE_BENCH_LANGUAGE=english, so the two rank the same
#              terms: a cluster has one stemmer, not one per article)
#   --reps     timed passes over the query set (default 5)
#   --out      where results.md, results.csv and the charts go
#              (default benchmarks/results)
#   --cold-runs  rounds of cold starts (default 9): each round runs every
#              engine in turn, index evicted then cached; medians
#   --append   add to the results already in --out instead of starting
#              afresh: rows of the sizes measured now are replaced, the
#              others kept, and the report covers every size in the CSV
#              (to run sizes one at a time, e.g. --sizes 1 then
#              --sizes 10 --append; each run's machine and load are kept)
#   --lock     hold FILE's lock (flock) around each timed step (one
#              engine's indexing and queries on one size, the cold-start
#              rounds of a size) and let go of it between them, so that a
#              long run shares a machine's benchmark lock in turns
#   --keep     keep the indexes in work/db/ (default: removed once measured)
#   --index-only  index only (articles/s, peak RSS, bytes): no queries, no
#              cold starts (the query rows of results.md show n/a)
#
# Exits non-zero on any failure.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
work=$here/work
build=$work/build

sizes=1,10
smoke=0
corpus=$root/../shared/corpora/reuters21578
engines=morgue,xapian,fts5
reps=5
cold_runs=9
out=
keep=0
index_only=0
append=0
kept=
lockfile=

die() { echo "run.sh: $*" >&2; exit 1; }

while [ $# -gt 0 ]; do
    case $1 in
    --sizes) sizes=${2:?}; shift 2 ;;
    --sizes=*) sizes=${1#*=}; shift ;;
    --smoke) smoke=1; shift ;;
    --corpus) corpus=${2:?}; shift 2 ;;
    --corpus=*) corpus=${1#*=}; shift ;;
    --engines) engines=${2:?}; shift 2 ;;
    --engines=*) engines=${1#*=}; shift ;;
    --reps) reps=${2:?}; shift 2 ;;
    --reps=*) reps=${1#*=}; shift ;;
    --out) out=${2:?}; shift 2 ;;
    --out=*) out=${1#*=}; shift ;;
    --cold-runs) cold_runs=${2:?}; shift 2 ;;
    --cold-runs=*) cold_runs=${1#*=}; shift ;;
    --append) append=1; shift ;;
    --lock) lockfile=${2:?}; shift 2 ;;
    --lock=*) lockfile=${1#*=}; shift ;;
    --keep) keep=1; shift ;;
    --index-only) index_only=1; shift ;;
    -h|--help) sed -n '2,41p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option $1 (see --help)" ;;
    esac
done

[[ $sizes =~ ^[0-9]+(,[0-9]+)*$ ]] || die "--sizes wants numbers: 1,10,50"
[[ $reps =~ ^[1-9][0-9]*$ ]] || die "--reps wants a positive number"
[[ $cold_runs =~ ^[1-9][0-9]*$ ]] || die "--cold-runs wants a positive number"
[ -e "$corpus" ] || die "no corpus at $corpus (give --corpus PATH)"
IFS=, read -r -a engine_list <<<"$engines"
for e in "${engine_list[@]}"; do
    case $e in morgue|xapian|fts5|cluster) ;; *) die "unknown engine $e" ;; esac
    if [ "$e" = cluster ]; then export MORGUE_BENCH_LANGUAGE=english; fi
done

limit=0
per_class=
if [ $smoke = 1 ]; then
    sizes=1,2
    limit=300
    per_class=3
    reps=1
    cold_runs=1
    out=${out:-$work/smoke-results}
fi
out=${out:-$here/results}
IFS=, read -r -a size_list <<<"$sizes"
mkdir -p "$work" "$out"

log() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
started=$(date +%s)

# ---------------------------------------------------------------- build
commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo none)
log "building in $build (commit $commit)"
cmake -S "$root" -B "$build" -DMORGUE_BUILD_BENCH=ON -DMORGUE_BUILD_TESTS=OFF \
    -DCMAKE_BUILD_TYPE=Release >"$work/cmake.log" 2>&1 ||
    { cat "$work/cmake.log" >&2; die "cmake configure failed"; }
targets=(prep_corpus synth_corpus make_queries morgue_cli)
for e in "${engine_list[@]}"; do targets+=("${e}_bench"); done
cmake --build "$build" -j "$(nproc)" --target "${targets[@]}" \
    >"$work/build.log" 2>&1 ||
    { tail -40 "$work/build.log" >&2
      die "build failed (log: $work/build.log); without a working library," \
          "run the peers alone with --engines xapian,fts5"; }
bin=$build/benchmarks

# ---------------------------------------------------------------- corpora
# Rebuilds $1 with the rest of the arguments when missing or older than
# the program that makes it or its input.
make_if_stale() {
    local target=$1 input=$2 prog=$3
    shift 3
    if [ ! -s "$target" ] || [ "$prog" -nt "$target" ] ||
       [ "$input" -nt "$target" ]; then
        "$prog" "$@" -o "$target.tmp" && mv "$target.tmp" "$target"
    fi
}

if [ $smoke = 1 ]; then
    base=$work/smoke.jsonl
else
    base=$work/reuters.jsonl
fi
log "corpus: $corpus"
if [ ! -s "$base" ] || [ "$bin/prep_corpus" -nt "$base" ] ||
   [ "$corpus" -nt "$base" ]; then
    "$bin/prep_corpus" --limit "$limit" -o "$base.tmp" "$corpus"
    mv "$base.tmp" "$base"
fi

corpus_of() { # size -> corpus file
    if [ "$1" = 1 ]; then
        echo "$base"
    else
        echo "${base%.jsonl}-$1x.jsonl"
    fi
}

for n in "${size_list[@]}"; do
    c=$(corpus_of "$n")
    if [ "$n" != 1 ]; then
        log "synthetic corpus ${n}x"
        make_if_stale "$c" "$base" "$bin/synth_corpus" --scale "$n" "$base"
    fi
    log "queries for ${n}x"
    make_if_stale "${c%.jsonl}.queries.tsv" "$c" "$bin/make_queries" \
        ${per_class:+--per-class $per_class} "$c"
done

# ---------------------------------------------------------------- runs
csv=$out/results.csv
tops=$work/tops
mkdir -p "$tops" "$work/db"
rm -f "$tops"/*.tsv
if [ $append = 1 ] && [ -s "$csv" ]; then # drop the sizes measured now
    awk -F, -v sizes="$sizes" '
        BEGIN { n = split(sizes, S, ","); for (i = 1; i <= n; i++) drop[S[i] "x"] = 1 }
        NR == 1 || !($2 in drop)' "$csv" >"$csv.tmp"
    mv "$csv.tmp" "$csv"
    kept=$(awk 'NR > 1 { print; exit }' "$csv") # rows of other sizes remain
else
    echo "engine,corpus,metric,value" >"$csv"
fi

# Median of each engine,label,metric of CSV lines on stdin.
medians() {
    awk -F, '
        { k = $1 "," $2 "," $3; n[k]++; v[k, n[k]] = $4; if (!(k in seen)) {
              seen[k] = 1; order[++m] = k } }
        END {
            for (j = 1; j <= m; j++) {
                k = order[j]; c = n[k]
                for (a = 2; a <= c; a++) { x = v[k, a]
                    for (b = a - 1; b >= 1 && v[k, b] > x; b--)
                        v[k, b + 1] = v[k, b]
                    v[k, b + 1] = x }
                print k "," v[k, int((c + 1) / 2)]
            }
        }'
}

# Cold start of every engine that was measured on this size, the same
# way for each and side by side: $cold_runs rounds, each round running
# every engine in turn (the order rotated from round to round), each
# engine a fresh process with its index files evicted, then a fresh
# process with them cached. Alternating keeps the engines' runs seconds
# apart, so the other work on the machine (its disk traffic above all)
# weighs on each alike; measured one engine after another, minutes
# apart, the ratio swung 3x with it. Appends the medians.
cold_all() { # label queries engine...
    local label=$1 q=$2 raw=$work/cold-$1.csv
    shift 2
    local es=("$@") n=$#
    [ "$n" -gt 0 ] || return 0
    log "cold start on $label: $cold_runs rounds of ${es[*]}"
    : >"$raw"
    for r in $(seq "$cold_runs"); do
        for i in $(seq 0 $((n - 1))); do
            local e=${es[$(((i + r - 1) % n))]}
            local db=$work/db/$label/$e
            "$bin/${e}_bench" cold "$db" "$q" --label "$label" --evict \
                >>"$raw" || return 1
            "$bin/${e}_bench" cold "$db" "$q" --label "$label" \
                >>"$raw" || return 1
        done
    done
    medians <"$raw"
}

# --lock: the lock on descriptor 9 around each timed step.
lock() {
    [ -n "$lockfile" ] || return 0
    exec 9>>"$lockfile"
    flock 9
}
unlock() {
    [ -n "$lockfile" ] || return 0
    flock -u 9
    exec 9>&-
}

# One engine on one corpus: index, queries (the cold starts: cold_all).
# Non-zero when a step fails; the steps after it are skipped, the other
# engines still run.
measure() { # engine label corpus queries
    local e=$1 label=$2 c=$3 q=$4 db=$work/db/$2/$1
    rm -rf "$db"
    log "$e: indexing $label ($(basename "$c"))"
    echo "$e,$label,index.load_avg,$(cut -d' ' -f1 /proc/loadavg)" >>"$csv"
    "$bin/${e}_bench" index "$c" "$db" --label "$label" >>"$csv" || return 1
    if [ $index_only = 1 ]; then
        [ "$e" != cluster ] || "$build/cli/morgue" cluster stop "$db" || true
        [ $keep = 1 ] || rm -rf "$db"
        return 0
    fi
    log "$e: queries on $label"
    "$bin/${e}_bench" query "$db" "$q" --label "$label" --reps "$reps" \
        --top "$tops/$label-$e.tsv" \
        --per-query "$work/per-query-$label-$e.tsv" >>"$csv" || return 1
}

# After the cold starts: stops a cluster's searchd, drops the index.
finish() { # engine label
    local e=$1 label=$2 db=$work/db/$2/$1
    if [ "$e" = cluster ] && [ -d "$db" ]; then # by their pid files
        "$build/cli/morgue" cluster stop "$db" || true
        du -sb "$db" | awk -v l="$label" '{ print "cluster," l ",disk_bytes," $1 }' >>"$csv"
    fi
    [ $keep = 1 ] || rm -rf "$db"
}

failures=()
for n in "${size_list[@]}"; do
    label=${n}x
    c=$(corpus_of "$n")
    q=${c%.jsonl}.queries.tsv
    measured=()
    for e in "${engine_list[@]}"; do
        lock
        if measure "$e" "$label" "$c" "$q"; then
            unlock
            measured+=("$e")
        else
            unlock
            log "$e: FAILED on $label"
            failures+=("$e on $label")
            rm -f "$tops/$label-$e.tsv"
            finish "$e" "$label"
        fi
    done
    lock
    if [ $index_only = 0 ] && ! cold_all "$label" "$q" "${measured[@]}" >>"$csv"; then
        log "cold start FAILED on $label"
        failures+=("cold start on $label")
    fi
    unlock
    for e in "${measured[@]}"; do finish "$e" "$label"; done
    # Agreement: overlap@10 of the top 10s, per class, for each pair.
    for pair in morgue:xapian morgue:fts5 xapian:fts5 morgue:cluster; do
        a=$tops/$label-${pair%:*}.tsv b=$tops/$label-${pair#*:}.tsv
        [ -f "$a" ] && [ -f "$b" ] || continue
        awk -F'\t' -v label="$label" -v pair="${pair/:/_}" \
            -f "$here/agreement.awk" "$a" "$b" >>"$csv"
    done
    # morgue vs its cluster should rank alike: the order too (tau)
    a=$tops/$label-morgue.tsv b=$tops/$label-cluster.tsv
    if [ -f "$a" ] && [ -f "$b" ]; then
        awk -F'\t' -v label="$label" -v pair=rank_morgue_cluster \
            -f "$here/rank_agreement.awk" "$a" "$b" >>"$csv"
    fi
done

# ---------------------------------------------------------------- machine
info=$out/machine.txt
earlier=
if [ $append = 1 ] && [ -s "$info" ] && [ -n "$kept" ]; then # the sizes kept
    # the previous run's own lines (its earlier ones were of sizes it
    # measured again or that this one does)
    earlier=$(grep -v '^earlier run' "$info" | sed 's/^/earlier run, /')
fi
{
    echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "cpu: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
    echo "cores: $(nproc)"
    echo "memory: $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
    echo "kernel: $(uname -sr)"
    echo "load average (1/5/15 min): $load_start at the start," \
         "$(cut -d' ' -f1-3 /proc/loadavg) at the end (2 cores: above 1," \
         "other work competed)"
    echo "run time: $((($(date +%s) - started + 59) / 60)) min"
    echo "build: $(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$build/CMakeCache.txt")"
    echo "compiler: $(gcc --version | head -1)"
    for e in "${engine_list[@]}"; do
        echo "$e: $("$bin/${e}_bench" version)"
    done
    echo "zlib: $(pkg-config --modversion zlib 2>/dev/null || echo '?')"
    echo "jansson: $(pkg-config --modversion jansson 2>/dev/null || echo '?')"
    if [ "$limit" -gt 0 ]; then
        echo "corpus: $(basename "$corpus") (first $limit articles)"
    else
        echo "corpus: $(basename "$corpus")"
    fi
    echo "sizes (this run): $sizes; timed passes: $reps; cold starts: $cold_runs rounds" \
         "alternating the engines, median"
    echo "commit: $commit (built at the start)"
    [ -z "$earlier" ] || printf '%s\n' "$earlier"
} >"$info"
# the report covers every size the CSV holds (with --append, earlier ones)
report_sizes=$(awk -F, 'NR > 1 && $2 ~ /^[0-9]+x$/ { sub(/x$/, "", $2); s[$2] = 1 }
    END { for (k in s) print k }' "$csv" | sort -n | paste -sd, -)
report_sizes=${report_sizes:-$sizes}

# ---------------------------------------------------------------- report
log "report"
awk -F, -v sizes="$report_sizes" -v engines="$engines" -v machine="$info" \
    -f "$here/report.awk" "$csv" >"$out/results.md"

if command -v gnuplot >/dev/null; then
    "$here/charts.sh" "$csv" "$out" "$report_sizes" "$engines"
else
    log "gnuplot not found: no charts"
fi

# ---------------------------------------------------------------- checks
# Every engine indexed every article of every size and answered every query.
status=0
for f in "${failures[@]}"; do
    echo "run.sh: $f failed (see the messages above)" >&2
    status=1
done
for n in "${size_list[@]}"; do
    want=$(grep -c . "$(corpus_of "$n")")
    for e in "${engine_list[@]}"; do
        got=$(awk -F, -v e="$e" -v l="${n}x" \
              '$1 == e && $2 == l && $3 == "index.articles" { print $4 }' "$csv")
        [ "$got" = "$want" ] ||
            { echo "run.sh: $e indexed ${got:-no} articles of $want (${n}x)" >&2
              status=1; }
        [ $index_only = 0 ] || continue
        errs=$(awk -F, -v e="$e" -v l="${n}x" \
               '$1 == e && $2 == l && $3 == "query.errors" { print $4 }' "$csv")
        [ "$errs" = 0 ] ||
            { echo "run.sh: $e: ${errs:-?} failed queries (${n}x)" >&2
              status=1; }
    done
done
log "results: $out/results.md"
exit $status
