#!/usr/bin/env bash
# sweep.sh: morgue's MAP on each collection as one parameter moves, the
# others at their defaults: how sensitive the defaults are (run.sh first;
# it leaves the indexes in WORK).
#
#   benchmarks/relevance/sweep.sh [--build DIR] [--work DIR]
#
# Prints "parameter value npl lisa adi reuters mean(3)" (MAP).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
build=$here/../work/build
work=$here/../work/relevance
while [ $# -gt 0 ]; do
    case $1 in
    --build) build=${2:?}; shift 2 ;;
    --work) work=${2:?}; shift 2 ;;
    *) echo "sweep.sh: unknown option $1" >&2; exit 2 ;;
    esac
done
bin=$build/benchmarks/morgue_bench
one() { # VAR value
    local line="" sum=0 c m
    for c in npl lisa adi reuters; do
        [ -d "$work/$c/db/morgue" ] || continue
        env "$1=$2" "$bin" rank "$work/$c/db/morgue" "$work/$c/questions.tsv" \
            --label s >"$work/sweep.run" 2>/dev/null
        m=$(bash "$here/eval.sh" "$work/$c/qrels" "$work/sweep.run" |
            cut -d' ' -f1)
        line="$line $m"
        [ "$c" = reuters ] || sum=$(echo "$sum + $m" | bc -l)
    done
    printf '%s %s%s %.4f\n' "${1#MORGUE_BENCH_}" "$2" "$line" \
        "$(echo "$sum / 3" | bc -l)"
}
echo "parameter value npl lisa adi reuters mean(3)   (MAP)"
for v in 0.6 0.9 1.2 1.5 2.0; do one MORGUE_BENCH_K1 $v; done
for v in 0.3 0.5 0.75 0.9; do one MORGUE_BENCH_B $v; done
for v in 1 2 3 5 8; do one MORGUE_BENCH_TITLE_WEIGHT $v; done
