#!/usr/bin/env bash
# Installs dependencies, builds morgue, indexes the bundled sample archive
# and runs the demo search.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release \
  -DMORGUE_BUILD_TESTS=OFF >/dev/null
cmake --build build/release -j"$(nproc)"
rm -rf build/demo-index
./build/release/cli/morgue index --index build/demo-index examples/archive
./build/release/cli/morgue search --index build/demo-index \
  "state of emergency Almaty"
