#!/usr/bin/env bash
# The whole test suite: installs dependencies, builds, runs every test
# (Check suites, fuzz corpus replays, CLI end-to-end, consumer project),
# then the same suite again under AddressSanitizer + UBSan (gcc, then
# clang), then the benchmark harness in smoke mode (every engine on a
# tiny corpus) so that it cannot rot.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
jobs=$(nproc)

echo "== build and test (RelWithDebInfo)"
cmake -S . -B build/ci -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build/ci -j"$jobs"
(cd build/ci && ctest --output-on-failure -j"$jobs")

echo "== build and test under ASan + UBSan"
cmake -S . -B build/asan -DCMAKE_BUILD_TYPE=Debug -DMORGUE_SANITIZE=ON \
  -DMORGUE_SKIP_CONSUMER=ON >/dev/null
cmake --build build/asan -j"$jobs"
# (the soak: 50 cycles under the sanitizers, 100 in the plain pass; with
# its growing feed 100 took 361-393 s under ASan at load 4-9)
(cd build/asan && ASAN_OPTIONS=detect_leaks=1 \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 SOAK_CYCLES=50 \
  ctest --output-on-failure -j"$jobs")

# clang's UBSan checks what gcc's does not (pointer arithmetic on NULL,
# for one: index/segment_write.c once computed NULL + 0 and only clang
# said so). Every test but the two longest end-to-end ones, which spend
# minutes under ASan killing and re-running whole indexing runs that the
# gcc pass above already covers.
echo "== build and test under clang ASan + UBSan"
CC=clang cmake -S . -B build/clang-asan -DCMAKE_BUILD_TYPE=Debug \
  -DMORGUE_SANITIZE=ON -DMORGUE_SKIP_CONSUMER=ON >/dev/null
cmake --build build/clang-asan -j"$jobs"
(cd build/clang-asan && ASAN_OPTIONS=detect_leaks=1 \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 SOAK_CYCLES=50 \
  ctest --output-on-failure -j"$jobs" -E '^(e2e_crash|e2e_reuters)$')

echo "== benchmark harness, smoke mode"
smoke_out=$(mktemp -d)
bash benchmarks/run.sh --smoke --out "$smoke_out"
rm -rf "$smoke_out"
