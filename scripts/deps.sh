#!/usr/bin/env bash
# Installs morgue's build and test dependencies from Debian (needs root).
set -euo pipefail
pkgs=(build-essential cmake pkg-config libstemmer-dev zlib1g-dev
      libutf8proc-dev libxml2-dev libjansson-dev check clang
      libzstd-dev                     # stored text (index/docstore.h)
      libdeflate-dev liblz4-dev       # codec comparison (codec_bench.c)
      libclang-rt-14-dev
      libexttextcat-data              # language fingerprints
      libicu-dev                      # transliterators: Cyrillic/Greek
                                      # names' Latin keys (text/translit.h)
      liblingua-stopwords-perl        # stopword lists (text/stopwords.h)
      libmariadb-dev sphinxsearch     # cluster/: SphinxQL client, searchd
      libmicrohttpd-dev               # morgue serve (HTTP)
      chromium curl                   # serve's browser and HTTP e2e tests
      abigail-tools                   # abidiff: the ABI check (tests/abi)
      libxapian-dev libsqlite3-dev)   # the benchmark peers (smoke test)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
    missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
