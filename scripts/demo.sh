#!/usr/bin/env bash
# Installs dependencies, builds morgue, indexes the bundled sample archive
# runs the demo search and ends with the story of the January 2022 unrest
# in Kazakhstan, day by day (morgue timeline).
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
./build/release/cli/morgue timeline --index build/demo-index \
  --from 2022-01-01 --to 2022-01-31 kazakhstan OR almaty OR tokayev
