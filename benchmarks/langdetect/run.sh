#!/usr/bin/env bash
# Language detection accuracy on Debian's translated manual pages: morgue's
# detector (libexttextcat, text/lang.c) beside CLD2, per language and
# length. Not part of CI. Needs root for the packages:
#   manpages manpages-{de,fr,es,it,pl,pt-br,ru,nl,uk,cs} groff python3
#   libexttextcat-dev libexttextcat-data libcld2-dev g++
# usage: benchmarks/langdetect/run.sh [PARAGRAPHS_PER_LANGUAGE]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
work=${WORK:-/tmp/morgue-langdetect}
mkdir -p "$work"
if [ "$(id -u)" = 0 ]; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
    manpages manpages-de manpages-fr manpages-es manpages-it manpages-pl \
    manpages-pt-br manpages-ru manpages-nl manpages-uk manpages-cs groff \
    python3 libexttextcat-dev libexttextcat-data libcld2-dev g++ >/dev/null
fi
cc -O2 -I "$src/include" -I "$src" -D_DEFAULT_SOURCE \
  "$here/lang_accuracy.c" "$src/text/lang.c" "$src/text/langdetect.c" "$src/text/langwords.c" \
  "$src/util/error.c" "$src/util/utf8.c" "$src/util/buf.c" \
  -lpthread -o "$work/lang_accuracy"
g++ -O2 "$here/cld2_accuracy.cc" -lcld2 -o "$work/cld2_accuracy"
[ -s "$work/samples.tsv" ] ||
  python3 "$here/samples.py" "$work/samples.tsv" "${1:-200}"
"$work/lang_accuracy" "$work/samples.tsv" > "$work/textcat.tsv"
"$work/cld2_accuracy" "$work/samples.tsv" > "$work/cld2.tsv"
echo "lang length  textcat(correct/total und us)  cld2(correct/total und us)"
join <(awk 'NR>1{print $1"-"$2, $3"/"$4, $5, $6}' "$work/textcat.tsv" | sort) \
     <(awk 'NR>1{print $1"-"$2, $3"/"$4, $5, $6}' "$work/cld2.tsv" | sort) |
  sort -t- -k1,1 -k2,2n | column -t
for f in textcat cld2; do
  awk -v f=$f 'NR>1{ok[$2]+=$3; t[$2]+=$4} END{for (l in ok)
    printf "%s all languages at %d chars: %.1f%%\n", f, l, 100*ok[l]/t[l]}' \
    "$work/$f.tsv" | sort -k5n
done
