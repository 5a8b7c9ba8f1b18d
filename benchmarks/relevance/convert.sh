#!/usr/bin/env bash
# convert.sh: one judged collection of ../shared/judged (README there gives
# the formats) into the harness's inputs:
#   OUT/docs.jsonl      one article a line: {"id","title","body"}
#   OUT/questions.tsv   qid<TAB>question (lines joined by spaces)
#   OUT/qrels           "qid 0 docid 1" a line (trec_eval's qrels)
#
#   benchmarks/relevance/convert.sh npl|lisa|adi JUDGED_DIR OUT_DIR
#
# Nothing is edited but the layout: line ends (CRLF) go, text is kept as
# distributed (case included), a record's lines are joined by spaces.
# LISA: the files LISA0.001 .. LISA5.850 in name order; a document id met
# a second time (1998-2001 are repeated, identically, in LISA1.501 and
# LISA2.001) keeps its first record; lines after a record's row of '*'
# and before the next "Document n" header (a garbled fragment) belong to no
# record and are dropped. ADI: the title is .T, the body .W; authors (.A)
# are left out, as they are no part of what the questions ask about.
set -euo pipefail
[ $# = 3 ] || { echo "usage: convert.sh npl|lisa|adi JUDGED_DIR OUT" >&2
                exit 2; }
coll=$1 src=$2/$1 out=$3
mkdir -p "$out"
export LC_ALL=C

# Shared awk: JSON string escaping and the line cleanup.
lib='
function clean(s) { sub(/\r$/, "", s); gsub(/\t/, " ", s); return s }
function js(s) {
    gsub(/\\/, "\\\\", s); gsub(/"/, "\\\"", s)
    gsub(/[\001-\037]/, " ", s)
    return "\"" s "\""
}
function trim(s) { gsub(/^ +| +$/, "", s); gsub(/  +/, " ", s); return s }
function doc(id, title, body) {
    print "{\"id\":" js(id) ",\"title\":" js(trim(title)) ",\"body\":" \
          js(trim(body)) "}" > DOCS
}
'

case $coll in
npl)
    # Records: "<id>" alone on a line, text lines, then "   /".
    awk -v DOCS="$out/docs.jsonl" "$lib"'
        { $0 = clean($0) }
        id == "" && /^ *[0-9]+ *$/ { id = $1; body = ""; next }
        /^ *\/ *$/ { if (id != "") doc(id, "", body); id = ""; next }
        id != "" { body = body " " $0 }' "$src/doc-text"
    awk "$lib"'
        { $0 = clean($0) }
        id == "" && /^ *[0-9]+ *$/ { id = $1; q = ""; next }
        /^ *\/ *$/ { if (id != "") print id "\t" trim(q); id = ""; next }
        id != "" { q = q " " $0 }' "$src/query-text" > "$out/questions.tsv"
    awk "$lib"'
        { $0 = clean($0) }
        id == "" && /^ *[0-9]+ *$/ { id = $1; next }
        /^ *\/ *$/ { id = ""; next }
        id != "" { for (i = 1; i <= NF; i++) print id " 0 " $i " 1" }' \
        "$src/rlv-ass" > "$out/qrels"
    ;;
lisa)
    files=$(cd "$src" && ls LISA[0-9]* | sort)
    (cd "$src" && cat $files) | awk -v DOCS="$out/docs.jsonl" "$lib"'
        function flush() {
            if (id != "" && !(id in seen)) { seen[id] = 1; doc(id, t, b) }
            id = ""
        }
        { $0 = clean($0) }
        /^Document +[0-9]+ *$/ { flush(); id = $2; t = b = ""; intitle = 1
                                 next }
        /^\*+ *$/ { flush(); next }
        id == "" { next }
        intitle && /^ *$/ { intitle = 0; next }
        intitle { t = t " " $0; next }
        { b = b " " $0 }
        END { flush() }'
    awk "$lib"'
        { $0 = clean($0) }
        id == "" && /^ *[0-9]+ *$/ { id = $1; q = ""; next }
        id == "" { next }
        { q = q " " $0 }
        / #$/ || /^#$/ { sub(/ *#$/, "", q); print id "\t" trim(q); id = "" }' \
        "$src/LISA.QUE" > "$out/questions.tsv"
    # Fixed-width numbers: qid count doc doc ..., over as many lines.
    tr -d '\r' < "$src/LISARJ.NUM" | awk '
        { for (i = 1; i <= NF; i++) {
              if (state == 0) { q = $i; state = 1 }
              else if (state == 1) { need = $i + 0; state = need ? 2 : 0 }
              else { print q " 0 " $i " 1"; if (--need == 0) state = 0 }
          } }' > "$out/qrels"
    ;;
adi)
    awk -v DOCS="$out/docs.jsonl" "$lib"'
        function flush() { if (id != "") doc(id, t, b); id = "" }
        { $0 = clean($0) }
        /^\.I / { flush(); id = $2; t = b = ""; f = ""; next }
        /^\.[TAWBX] *$/ { f = substr($0, 2, 1); next }
        f == "T" { t = t " " $0 }
        f == "W" { b = b " " $0 }
        END { flush() }' "$src/ADI.ALL"
    awk "$lib"'
        function flush() { if (id != "") print id "\t" trim(q); id = "" }
        { $0 = clean($0) }
        /^\.I / { flush(); id = $2; q = ""; f = ""; next }
        /^\.[A-Z] *$/ { f = substr($0, 2, 1); next }
        f == "W" { q = q " " $0 }
        END { flush() }' "$src/ADI.QRY" > "$out/questions.tsv"
    awk '{ sub(/\r$/, ""); if (NF >= 2) print $1 " 0 " $2 " 1" }' \
        "$src/ADI.REL" > "$out/qrels"
    ;;
*)
    echo "convert.sh: unknown collection $coll (npl, lisa or adi)" >&2
    exit 2
    ;;
esac
printf '%s: %s documents, %s questions, %s judged pairs\n' "$coll" \
    "$(wc -l < "$out/docs.jsonl")" "$(wc -l < "$out/questions.tsv")" \
    "$(wc -l < "$out/qrels")" >&2
