#!/usr/bin/env bash
# fuzz-release.sh: the fuzzing a release gets before it is tagged (not
# CI): every libFuzzer target in fuzz/ for at least 10 minutes each
# (FUZZ_SECONDS), clang with ASan + UBSan, starting from its seed corpus.
# Inputs that crash, leak or time out are copied into the target's seed
# corpus (fuzz/corpora/<name>/crash-<sha1>), where ctest's replay_<name>
# keeps them as regression tests from then on; fix the bug, commit both.
#
#   scripts/fuzz-release.sh [TARGET...]     (default: every fuzz_*.c)
#
# FUZZ_WORK=dir keeps each target's corpus in dir/<target> between runs,
# so that runs in chunks (a shared machine: FUZZ_SECONDS=60 in a loop,
# each under a lock) add up to the 10 minutes; FUZZ_NO_BUILD=1 skips the
# build (a chunk after the first).
#
# Exits 1 when any target found something, so a release script stops.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-600}
jobs=${FUZZ_JOBS:-1}
build=build/fuzz-release
[ "${FUZZ_NO_BUILD:-0}" = 1 ] || {
  CC=clang cmake -S . -B "$build" -DMORGUE_BUILD_FUZZERS=ON \
    -DMORGUE_BUILD_TESTS=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build "$build" -j2
}
if [ $# -gt 0 ]; then
  targets=("$@")
else
  targets=()
  for f in fuzz/fuzz_*.c; do t=$(basename "$f" .c); targets+=("${t#fuzz_}"); done
fi
found=0
root=$(pwd)
for t in "${targets[@]}"; do
  bin=$root/$build/fuzz/fuzz_$t seeds=$root/fuzz/corpora/$t
  if [ -n "${FUZZ_WORK:-}" ]; then
    mkdir -p "$FUZZ_WORK/$t"; work=$(cd "$FUZZ_WORK/$t" && pwd)
  else
    work=$(mktemp -d)
  fi
  artifacts=$(mktemp -d)
  echo "== fuzz_$t for ${seconds} s (seeds: $(ls "$seeds" | wc -l))"
  set +e
  # run in the artifacts dir: -jobs makes libFuzzer write fuzz-<n>.log
  # in the current directory (one once landed in the tree)
  (cd "$artifacts" && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1 \
    "$bin" "$work" "$seeds" -max_total_time="$seconds" -jobs="$jobs" \
    -workers="$jobs" -timeout=25 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$artifacts/") > "$artifacts/log" 2>&1
  st=$?
  set -e
  cat "$artifacts"/fuzz-*.log >> "$artifacts/log" 2>/dev/null || true
  tail -n 12 "$artifacts/log"
  for a in "$artifacts"/crash-* "$artifacts"/leak-* "$artifacts"/timeout-* \
           "$artifacts"/oom-*; do
    [ -f "$a" ] || continue
    name=$(basename "$a" | cut -d- -f1)-$(sha1sum "$a" | cut -c1-16)
    cp "$a" "$seeds/$name"
    echo "fuzz_$t: $(basename "$a") -> $seeds/$name"
    found=1
  done
  [ "$st" -ne 0 ] && [ "$found" -eq 0 ] && { echo "fuzz_$t exited $st"; found=1; }
  [ -n "${FUZZ_WORK:-}" ] || rm -rf "$work"
  rm -rf "$artifacts"
done
exit $found
