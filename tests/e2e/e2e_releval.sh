#!/usr/bin/env bash
# The relevance evaluator (benchmarks/relevance/eval.sh) against a hand
# computation: ties, a repeated docid, a query the run does not answer, a
# query not judged, and a rank column that disagrees with the scores.
. "$(dirname "$0")/lib.sh"
ev=${SRC_DIR:-$(dirname "$0")/../..}/benchmarks/relevance/eval.sh
cat > "$WORK/qrels" <<'Q'
q1 0 d1 1
q1 0 d3 1
q1 0 d5 1
q1 0 d6 0
q2 0 d2 1
q3 0 d9 1
Q
# q1 by score: d1, then d3 and d2 tied (docid descending: d3 first), d4,
# d5: relevant at ranks 1, 2, 5. q2: d7, d2 (d2 again below, ignored).
cat > "$WORK/run" <<'R'
q1 Q0 d5 1 0.5 t
q1 Q0 d4 2 1.0 t
q1 Q0 d2 3 2.0 t
q1 Q0 d3 4 2.0 t
q1 Q0 d1 5 3.0 t
q2 Q0 d2 1 4 t
q2 Q0 d7 2 5 t
q2 Q0 d2 3 1 t
q4 Q0 d1 1 9 t
R
# q1: AP (1/1 + 2/2 + 3/5) / 3 = .86667, P@10 .3, recall 1,
#     nDCG (1 + 1/log2 3 + 1/log2 6) / (1 + 1/log2 3 + 1/2) = .94690
# q2: AP (1/2) / 1 = .5, P@10 .1, recall 1, nDCG (1/log2 3) / 1 = .63093
# q3: nothing retrieved: 0 everywhere. q4 is not judged: not counted.
got=$(bash "$ev" "$WORK/qrels" "$WORK/run")
want="0.4556 0.5259 0.1333 0.6667 3"
[ "$got" = "$want" ] || fail "eval.sh: got '$got', want '$want'"
per=$(bash "$ev" "$WORK/qrels" "$WORK/run" --per-query | grep "^q" | sort)
want_per="q1 0.8667 0.9469 0.3000 1.0000
q2 0.5000 0.6309 0.1000 1.0000
q3 0.0000 0.0000 0.0000 0.0000"
[ "$per" = "$want_per" ] || fail "eval.sh per query: got '$per'"
echo "ok"
